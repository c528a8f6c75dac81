// PostgresStore: workspace tokens, organization tokens and sealed secrets.

#include <set>
#include <string>
#include <vector>

#include "core/util.h"
#include "store/postgres/postgres_store.h"

namespace ws {
namespace {

using pg::collect;

TokenRecord readToken(const pqxx::row& r) {
  return TokenRecord{pg::text(r[0]), pg::text(r[1]), pg::text(r[2]), pg::text(r[3]), pg::text(r[4]), pg::optText(r[5])};
}

constexpr const char* kOrgTokenColumns = "id, token_hash, prefix, name, org_id, created_by, created_at, last_used_at";

OrgTokenRecord readOrgToken(const pqxx::row& r) {
  return OrgTokenRecord{pg::text(r[0]),    pg::text(r[1]),    pg::text(r[2]), pg::optText(r[3]),
                        pg::optText(r[4]), pg::optText(r[5]), pg::text(r[6]), pg::optText(r[7])};
}

}  // namespace

Result<> PostgresStore::insertToken(const TokenRecord& t) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO workspace_auth_tokens (id, workspace_id, token_hash, prefix, created_at) "
           "VALUES ($1, $2, $3, $4, $5)",
           t.id, t.workspace_id, t.hash_hex, t.prefix, t.created_at);
  });
}

Result<std::vector<TokenRecord>> PostgresStore::liveTokens(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    return collect(s.exec("SELECT id, workspace_id, token_hash, prefix, created_at, last_used_at "
                          "FROM workspace_auth_tokens WHERE workspace_id = $1 AND revoked_at IS NULL "
                          "ORDER BY created_at, seq",  // seq: the order of issue within a millisecond
                          workspace_id),
                   readToken);
  });
}

Result<bool> PostgresStore::hasLiveToken(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    return !s.exec("SELECT 1 FROM workspace_auth_tokens WHERE workspace_id = $1 AND revoked_at IS NULL LIMIT 1",
                   workspace_id)
                .empty();
  });
}

Result<bool> PostgresStore::anyLiveToken() {
  return single([&](pg::Session& s) {
    return !s.exec("SELECT 1 FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
                   "WHERE t.revoked_at IS NULL AND w.status <> 'removed' LIMIT 1")
                .empty();
  });
}

Result<std::optional<TokenRecord>> PostgresStore::findLiveToken(const std::string& hash_hex) {
  return single([&](pg::Session& s) -> std::optional<TokenRecord> {
    auto r = s.exec("SELECT t.id, t.workspace_id, t.token_hash, t.prefix, t.created_at, t.last_used_at "
                    "FROM workspace_auth_tokens t JOIN workspaces w ON w.id = t.workspace_id "
                    "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND w.status <> 'removed'",
                    hash_hex);
    if (r.empty()) return std::nullopt;
    return readToken(r[0]);
  });
}

Result<bool> PostgresStore::revokeToken(const std::string& workspace_id, const std::string& token_id) {
  return single([&](pg::Session& s) {
    return s.exec("UPDATE workspace_auth_tokens SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 "
                  "AND revoked_at IS NULL",
                  nowTime(), token_id, workspace_id)
               .affected_rows() > 0;
  });
}

Result<> PostgresStore::revokeAllTokens(const std::string& workspace_id) {
  return single([&](pg::Session& s) { revokeAll(s, workspace_id, nowTime()); });
}

Result<> PostgresStore::touchToken(const std::string& token_id) {
  return single([&](pg::Session& s) {
    s.exec("UPDATE workspace_auth_tokens SET last_used_at = $1 WHERE id = $2", nowTime(), token_id);
  });
}

Result<> PostgresStore::insertOrgToken(const OrgTokenRecord& t) {
  return single([&](pg::Session& s) {
    s.exec("INSERT INTO org_api_tokens (id, token_hash, prefix, name, org_id, created_by, created_at) "
           "VALUES ($1, $2, $3, $4, $5, $6, $7)",
           t.id, t.hash_hex, t.prefix, t.name, t.org_id, t.created_by, t.created_at);
  });
}

Result<std::vector<OrgTokenRecord>> PostgresStore::liveOrgTokens(int limit) {
  return single([&](pg::Session& s) {
    return collect(s.exec(std::string("SELECT ") + kOrgTokenColumns +
                              " FROM org_api_tokens WHERE revoked_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT $1",
                          limit),
                   readOrgToken);
  });
}

Result<std::optional<OrgTokenRecord>> PostgresStore::findLiveOrgToken(const std::string& hash_hex) {
  return single([&](pg::Session& s) -> std::optional<OrgTokenRecord> {
    auto r = s.exec(std::string("SELECT ") + kOrgTokenColumns +
                        " FROM org_api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
                    hash_hex);
    if (r.empty()) return std::nullopt;
    return readOrgToken(r[0]);
  });
}

Result<bool> PostgresStore::revokeOrgToken(const std::string& id) {
  return single([&](pg::Session& s) {
    return s.exec("UPDATE org_api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", nowTime(), id)
               .affected_rows() > 0;
  });
}

Result<> PostgresStore::touchOrgToken(const std::string& id) {
  return single([&](pg::Session& s) {
    s.exec("UPDATE org_api_tokens SET last_used_at = $1 WHERE id = $2", nowTime(), id);
  });
}

Result<std::set<std::string>> PostgresStore::globalSecretKeys() {
  return single([&](pg::Session& s) {
    std::set<std::string> keys;
    for (const auto& row : s.exec("SELECT key FROM global_secrets")) keys.insert(pg::text(row[0]));
    return keys;
  });
}

// Values are bytes (ciphertext): hex on the wire, bytea in the table.
Result<> PostgresStore::putSecret(const SecretRecord& sr) {
  return single([&](pg::Session& s) {
    if (sr.workspace_id.empty()) {
      s.exec("INSERT INTO global_secrets (key, encrypted_value, encryption_version, created_at, updated_at) "
             "VALUES ($1, decode($2, 'hex'), $3, $4, $4) ON CONFLICT (key) DO UPDATE SET "
             "encrypted_value = excluded.encrypted_value, encryption_version = excluded.encryption_version, "
             "updated_at = excluded.updated_at",
             sr.key, pg::toHex(sr.value), sr.encryption_version, sr.updated_at);
      return;
    }
    s.exec("INSERT INTO workspace_secrets (workspace_id, key, encrypted_value, encryption_version, created_at, "
           "updated_at) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $5) ON CONFLICT (workspace_id, key) DO UPDATE SET "
           "encrypted_value = excluded.encrypted_value, encryption_version = excluded.encryption_version, "
           "updated_at = excluded.updated_at",
           sr.workspace_id, sr.key, pg::toHex(sr.value), sr.encryption_version, sr.updated_at);
  });
}

Result<bool> PostgresStore::deleteSecret(const std::string& workspace_id, const std::string& key) {
  return single([&](pg::Session& s) {
    auto r = workspace_id.empty()
                 ? s.exec("DELETE FROM global_secrets WHERE key = $1", key)
                 : s.exec("DELETE FROM workspace_secrets WHERE workspace_id = $1 AND key = $2", workspace_id, key);
    return r.affected_rows() > 0;
  });
}

Result<std::vector<SecretRecord>> PostgresStore::listSecrets(const std::string& workspace_id) {
  return single([&](pg::Session& s) {
    auto r = workspace_id.empty()
                 ? s.exec("SELECT '', key, encode(encrypted_value, 'hex'), encryption_version, created_at, updated_at "
                          "FROM global_secrets ORDER BY key")
                 : s.exec("SELECT workspace_id, key, encode(encrypted_value, 'hex'), encryption_version, created_at, "
                          "updated_at FROM workspace_secrets WHERE workspace_id = $1 ORDER BY key",
                          workspace_id);
    return collect(r, [](const pqxx::row& row) {
      return SecretRecord{pg::text(row[0]), pg::text(row[1]), pg::fromHex(pg::text(row[2])),
                          static_cast<int>(pg::integer(row[3])), pg::text(row[4]), pg::text(row[5])};
    });
  });
}

}  // namespace ws
