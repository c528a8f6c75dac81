#include "service/secrets.h"

#include "core/util.h"

namespace ws {

Result<> Secrets::put(const std::string& workspace_id, const std::string& key, std::string_view value) {
  auto sealed = box_.seal(value);
  if (!sealed) return sealed.error();
  const std::string now = nowTime();
  return store_.putSecret(SecretRecord{workspace_id, key, std::move(sealed->bytes), sealed->encryption_version, now, now});
}

Result<std::optional<std::string>> Secrets::get(const std::string& workspace_id, const std::string& key) {
  auto records = store_.listSecrets(workspace_id);
  if (!records) return records.error();
  for (const auto& r : *records) {
    if (r.key != key) continue;
    auto value = box_.open({r.value, r.encryption_version});
    if (!value) return value.error();
    return std::optional<std::string>(std::move(*value));
  }
  return std::optional<std::string>();
}

Result<Secrets::Opened> Secrets::environment(const std::string& workspace_id) {
  Opened out;
  for (const std::string& scope : {std::string(), workspace_id}) {
    auto records = store_.listSecrets(scope);
    if (!records) return records.error();
    for (const auto& r : *records) {
      auto value = box_.open({r.value, r.encryption_version});
      if (!value) {
        out.failed.push_back((scope.empty() ? "global:" : "workspace:") + r.key);
        continue;
      }
      out.values[r.key] = std::move(*value);
    }
  }
  return out;
}

}  // namespace ws
