#include "handlers/routes.h"

#include <charconv>

#include "parity/parity.h"

namespace ws {

void registerAllRoutes(Router& router, Services& svc) {
  // Reference-platform features this server does not serve yet; each would add its routes here.
  registerHealthRoutes(router, svc);
  registerWorkspaceRoutes(router, svc);
  registerRegistryRoutes(router, svc);
  registerEventRoutes(router, svc);
  registerTokenRoutes(router, svc);
  registerActivityRoutes(router, svc);
  registerLifecycleRoutes(router, svc);
  registerTeamRoutes(router, svc);
  registerOrgRoutes(router, svc);
  registerFileRoutes(router, svc);
  registerSecretRoutes(router, svc);
  registerPluginRoutes(router, svc);
  registerA2aRoutes(router, svc);
  registerBudgetRoutes(router, svc);
  registerMemoryRoutes(router, svc);
  registerScheduleRoutes(router, svc);
  registerTemplateRoutes(router, svc);
  registerObservabilityRoutes(router, svc);
  registerDashboardRoutes(router, svc);
  registerOrgTokenRoutes(router, svc);
  registerCanvasRoutes(router, svc);
  registerConfigRoutes(router, svc);
  registerChatRoutes(router, svc);
  registerDelegationRoutes(router, svc);
  registerApprovalRoutes(router, svc);
  registerKvMemoryRoutes(router, svc);
  registerAdminMemoryRoutes(router, svc);
  registerSessionRoutes(router, svc);
  registerBundleRoutes(router, svc);
  registerA2aQueueRoutes(router, svc);
  registerMcpRoutes(router, svc);
}

std::optional<int> readLimitParam(const Request& req, int fallback, int max) {
  auto raw = req.queryParam("limit");
  if (!raw) return fallback;
  int n = 0;
  const auto* end = raw->data() + raw->size();
  auto [ptr, ec] = std::from_chars(raw->data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1) return std::nullopt;
  return std::min(n, max);
}

}  // namespace ws
