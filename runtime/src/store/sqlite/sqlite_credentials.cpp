// SqliteStore: workspace tokens and sealed secrets.

#include <set>
#include <string>
#include <vector>

#include "core/util.h"
#include "store/sqlite/sqlite_store.h"

namespace ws {
namespace {

using sqlite::collect;
using sqlite::Statement;

TokenRecord readToken(const Statement& s) {
  return TokenRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.optText(5)};
}

constexpr const char* kOrgTokenColumns = "id, token_hash, prefix, name, org_id, created_by, created_at, last_used_at";

OrgTokenRecord readOrgToken(const Statement& s) {
  return OrgTokenRecord{s.text(0), s.text(1), s.text(2), s.optText(3), s.optText(4), s.optText(5), s.text(6), s.optText(7)};
}

}  // namespace

Result<> SqliteStore::insertToken(const TokenRecord& t) {
  return guarded([&] {
    db_.prepare(
           "INSERT INTO workspace_auth_tokens (id, workspace_id, token_hash, prefix, created_at) "
           "VALUES (?,?,?,?,?)")
        .bind(1, t.id).bind(2, t.workspace_id).bind(3, t.hash_hex).bind(4, t.prefix)
        .bind(5, t.created_at)
        .run();
  });
}

Result<std::vector<TokenRecord>> SqliteStore::liveTokens(const std::string& workspace_id) {
  return guarded([&] {
    auto& s = db_.prepare(
        "SELECT id, workspace_id, token_hash, prefix, created_at, last_used_at "
        "FROM workspace_auth_tokens WHERE workspace_id = ? AND revoked_at IS NULL "
        "ORDER BY created_at, rowid");  // rowid: the order of issue within a millisecond
    s.bind(1, workspace_id);
    return collect(s, readToken);
  });
}

Result<bool> SqliteStore::hasLiveToken(const std::string& workspace_id) {
  if (auto hit = has_token_cache_.find(workspace_id)) return *hit;
  return guarded([&] {
    const auto generation = generation_.load(std::memory_order_acquire);
    auto& s = db_.prepare(
        "SELECT 1 FROM workspace_auth_tokens WHERE workspace_id = ? AND revoked_at IS NULL LIMIT 1");
    s.bind(1, workspace_id);
    const bool found = s.step();
    s.reset();
    has_token_cache_.put(workspace_id, generation, found);
    return found;
  });
}

Result<bool> SqliteStore::anyLiveToken() {
  return guarded([&] {
    auto& s = db_.prepare(
        "SELECT 1 FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
        "WHERE t.revoked_at IS NULL AND w.status <> 'removed' LIMIT 1");
    const bool found = s.step();
    s.reset();
    return found;
  });
}

Result<std::optional<TokenRecord>> SqliteStore::findLiveToken(const std::string& hash_hex) {
  if (auto hit = token_cache_.find(hash_hex)) return std::optional<TokenRecord>(std::move(*hit));
  return guarded([&]() -> std::optional<TokenRecord> {
    const auto generation = generation_.load(std::memory_order_acquire);
    auto& s = db_.prepare(
        "SELECT t.id, t.workspace_id, t.token_hash, t.prefix, t.created_at, t.last_used_at "
        "FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND w.status <> 'removed'");
    s.bind(1, hash_hex);
    std::optional<TokenRecord> out;
    if (s.step()) out = readToken(s);
    s.reset();
    if (out) token_cache_.put(hash_hex, generation, *out);  // unknown hashes are not kept
    return out;
  });
}

Result<bool> SqliteStore::revokeToken(const std::string& workspace_id, const std::string& token_id) {
  return guarded([&] {
    db_.prepare(
           "UPDATE workspace_auth_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? "
           "AND revoked_at IS NULL")
        .bind(1, nowTime()).bind(2, token_id).bind(3, workspace_id)
        .run();
    return db_.changes() > 0;
  });
}

Result<> SqliteStore::revokeAllTokens(const std::string& workspace_id) {
  return guarded([&] { revokeAll(workspace_id, nowTime()); });
}

Result<> SqliteStore::touchToken(const std::string& token_id) {
  return guarded([&] {
    db_.prepare("UPDATE workspace_auth_tokens SET last_used_at = ? WHERE id = ?")
        .bind(1, nowTime()).bind(2, token_id)
        .run();
  });
}

Result<> SqliteStore::insertOrgToken(const OrgTokenRecord& t) {
  return guarded([&] {
    db_.prepare(
           "INSERT INTO org_api_tokens (id, token_hash, prefix, name, org_id, created_by, created_at) "
           "VALUES (?,?,?,?,?,?,?)")
        .bind(1, t.id).bind(2, t.hash_hex).bind(3, t.prefix).bind(4, t.name).bind(5, t.org_id)
        .bind(6, t.created_by).bind(7, t.created_at)
        .run();
  });
}

Result<std::vector<OrgTokenRecord>> SqliteStore::liveOrgTokens(int limit) {
  return guarded([&] {
    auto& s = db_.prepare(std::string("SELECT ") + kOrgTokenColumns +
                          " FROM org_api_tokens WHERE revoked_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT ?");
    s.bind(1, limit);
    return collect(s, readOrgToken);
  });
}

Result<std::optional<OrgTokenRecord>> SqliteStore::findLiveOrgToken(const std::string& hash_hex) {
  return guarded([&]() -> std::optional<OrgTokenRecord> {
    auto& s = db_.prepare(std::string("SELECT ") + kOrgTokenColumns +
                          " FROM org_api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
    s.bind(1, hash_hex);
    std::optional<OrgTokenRecord> out;
    if (s.step()) out = readOrgToken(s);
    s.reset();
    return out;
  });
}

Result<bool> SqliteStore::revokeOrgToken(const std::string& id) {
  return guarded([&] {
    db_.prepare("UPDATE org_api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(1, nowTime()).bind(2, id)
        .run();
    return db_.changes() > 0;
  });
}

Result<> SqliteStore::touchOrgToken(const std::string& id) {
  return guarded([&] {
    db_.prepare("UPDATE org_api_tokens SET last_used_at = ? WHERE id = ?").bind(1, nowTime()).bind(2, id).run();
  });
}

Result<std::set<std::string>> SqliteStore::globalSecretKeys() {
  return guarded([&] {
    auto keys = collect(db_.prepare("SELECT key FROM global_secrets"), [](const Statement& r) { return r.text(0); });
    return std::set<std::string>(keys.begin(), keys.end());
  });
}

Result<> SqliteStore::putSecret(const SecretRecord& s) {
  return guarded([&] {
    if (s.workspace_id.empty()) {
      db_.prepare(
             "INSERT INTO global_secrets (key, encrypted_value, encryption_version, created_at, updated_at) "
             "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (key) DO UPDATE SET encrypted_value = excluded.encrypted_value, "
             "encryption_version = excluded.encryption_version, updated_at = excluded.updated_at")
          .bind(1, s.key).bindBlob(2, s.value).bind(3, s.encryption_version).bind(4, s.updated_at)
          .run();
      return;
    }
    db_.prepare(
           "INSERT INTO workspace_secrets (workspace_id, key, encrypted_value, encryption_version, created_at, "
           "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (workspace_id, key) DO UPDATE SET "
           "encrypted_value = excluded.encrypted_value, encryption_version = excluded.encryption_version, "
           "updated_at = excluded.updated_at")
        .bind(1, s.workspace_id).bind(2, s.key).bindBlob(3, s.value).bind(4, s.encryption_version)
        .bind(5, s.updated_at)
        .run();
  });
}

Result<bool> SqliteStore::deleteSecret(const std::string& workspace_id, const std::string& key) {
  return guarded([&] {
    if (workspace_id.empty()) db_.prepare("DELETE FROM global_secrets WHERE key = ?").bind(1, key).run();
    else db_.prepare("DELETE FROM workspace_secrets WHERE workspace_id = ? AND key = ?").bind(1, workspace_id).bind(2, key).run();
    return db_.changes() > 0;
  });
}

Result<std::vector<SecretRecord>> SqliteStore::listSecrets(const std::string& workspace_id) {
  return guarded([&] {
    auto& q = workspace_id.empty()
                  ? db_.prepare("SELECT '', key, encrypted_value, encryption_version, created_at, updated_at "
                                "FROM global_secrets ORDER BY key")
                  : db_.prepare("SELECT workspace_id, key, encrypted_value, encryption_version, created_at, updated_at "
                                "FROM workspace_secrets WHERE workspace_id = ? ORDER BY key")
                        .bind(1, workspace_id);
    return collect(q, [](const Statement& r) {
      return SecretRecord{r.text(0), r.text(1), r.blob(2), static_cast<int>(r.integer(3)), r.text(4), r.text(5)};
    });
  });
}

}  // namespace ws
