#include "service/hierarchy.h"

namespace ws {

Result<bool> canCommunicate(WorkspaceStore& store, const std::string& caller, const std::string& target) {
  if (caller == target) return true;
  auto a = store.findWorkspace(caller);
  if (!a) return a.error();
  auto b = store.findWorkspace(target);
  if (!b) return b.error();
  if (!*a || !*b || (*a)->status == Status::removed || (*b)->status == Status::removed) return false;
  const auto& ca = **a;
  const auto& cb = **b;
  if (ca.parent_id == cb.parent_id) return true;  // siblings, or two roots
  if (cb.parent_id == ca.id || ca.parent_id == cb.id) return true;
  // Ancestor to descendant: walk up from the target (bounded against corrupt cycles).
  std::optional<std::string> up = cb.parent_id;
  for (int depth = 0; up && depth < 64; ++depth) {
    if (*up == ca.id) return true;
    auto p = store.findWorkspace(*up);
    if (!p) return p.error();
    up = *p ? (*p)->parent_id : std::nullopt;
  }
  return false;
}

}  // namespace ws
