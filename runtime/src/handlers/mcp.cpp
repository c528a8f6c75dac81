// The MCP bridge (runtime-spec 6.3 "MCP"): JSON-RPC 2.0 on POST /workspaces/:id/mcp (MCP's
// streamable HTTP transport, stateless: each POST carries one message and gets its answer as
// application/json), and GET /workspaces/:id/mcp/stream (the 2024-11-05 SSE transport: the
// endpoint event, then a ping every 30 s). Both are WorkspaceAuth on :id and share a limit of
// 120 requests a minute per token. The tools (service/mcp_tools.h) act as the workspace :id.
//
// JSON-RPC errors are answered with HTTP 200 (MCP carries them in the body); a notification
// (a message without an id) gets 202 and no body.

#include <array>
#include <memory>

#include "core/feed.h"
#include "core/json.h"
#include "core/rate_limit.h"
#include "core/util.h"
#include "handlers/routes.h"
#include "service/mcp_tools.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr int kRequestsPerMinute = 120;
// The protocol revisions this server speaks; the reference answers 2024-11-05.
constexpr std::array<std::string_view, 3> kVersions{"2025-06-18", "2025-03-26", "2024-11-05"};
constexpr std::string_view kReferenceVersion = "2024-11-05";

enum RpcCode { kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602 };

Response answer(const json& id, const char* member, json value) {
  return Response::json(200, {{"jsonrpc", "2.0"}, {"id", id}, {member, std::move(value)}});
}
Response rpcError(const json& id, int code, const std::string& message) {
  return answer(id, "error", {{"code", code}, {"message", message}});
}

Response withLimitHeaders(Response r, const RateLimit::Decision& d) {
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  r.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_seconds));
  return r;
}

// Counts the request against its token; the 429 to answer when the token is over its limit.
std::optional<Response> overLimit(RateLimit& limit, const Request& req, RateLimit::Decision& decision) {
  decision = limit.take(sha256Hex(req.bearer()));
  if (decision.allowed) return std::nullopt;
  auto r = withLimitHeaders(Response::json(429, {{"error", "rate limit exceeded"}, {"retry_after", decision.reset_seconds}}), decision);
  r.headers.emplace_back("Retry-After", std::to_string(decision.reset_seconds));
  return r;
}

json initializeResult(const json& params) {
  std::string_view version = kReferenceVersion;
  if (params.contains("protocolVersion") && params["protocolVersion"].is_string()) {
    const auto& asked = params["protocolVersion"].get_ref<const std::string&>();
    version = kVersions.front();  // the latest this server speaks, unless it speaks the one asked
    for (auto v : kVersions)
      if (v == asked) version = v;
  }
  return {{"protocolVersion", std::string(version)},
          {"capabilities", {{"tools", {{"listChanged", false}}}}},
          {"serverInfo", {{"name", "molecule-a2a"}, {"version", "1.0.0"}}}};
}

// tools/call: runs on the worker pool (a tool may wait on a peer's agent).
Response callTool(std::shared_ptr<McpTools> tools, const Workspace& self, const json& id, const json& params,
                  const RateLimit::Decision& decision) {
  if (!params.contains("name") || !params["name"].is_string())
    return withLimitHeaders(rpcError(id, kInvalidParams, "invalid params: name must be a string"), decision);
  const json arguments = params.contains("arguments") && !params["arguments"].is_null() ? params["arguments"] : json::object();
  if (!arguments.is_object()) return withLimitHeaders(rpcError(id, kInvalidParams, "invalid params: arguments must be an object"), decision);
  const std::string name = params["name"];
  return Response::later([tools, self, id, name, arguments, decision] {
    auto outcome = tools->call(self, name, arguments);
    if (!outcome) return withLimitHeaders(rpcError(id, kInvalidParams, "invalid params: " + outcome.error().message), decision);
    const json content = json::array({{{"type", "text"}, {"text", outcome->text}}});
    return withLimitHeaders(answer(id, "result", {{"content", content}, {"isError", outcome->is_error}}), decision);
  });
}

Response dispatch(std::shared_ptr<McpTools> tools, const Workspace& self, const Request& req,
                  const RateLimit::Decision& decision) {
  auto parsed = parseJson(req.body);
  if (!parsed) return rpcError(nullptr, kParseError, "parse error: " + parsed.error().message);
  const json& msg = *parsed;
  if (msg.is_array()) return rpcError(nullptr, kInvalidRequest, "invalid request: batches are not supported");
  if (!msg.is_object()) return rpcError(nullptr, kInvalidRequest, "invalid request: not a JSON-RPC object");
  const bool notification = !msg.contains("id");
  const json id = notification ? json(nullptr) : msg["id"];
  if (!id.is_null() && !id.is_string() && !id.is_number_integer())
    return rpcError(nullptr, kInvalidRequest, "invalid request: id must be a string or an integer");
  if (!msg.contains("jsonrpc") || msg["jsonrpc"] != "2.0") return rpcError(id, kInvalidRequest, "invalid request: jsonrpc must be \"2.0\"");
  if (!msg.contains("method") || !msg["method"].is_string()) return rpcError(id, kInvalidRequest, "invalid request: method must be a string");
  const json params = msg.contains("params") && !msg["params"].is_null() ? msg["params"] : json::object();
  if (!params.is_object()) return rpcError(id, kInvalidParams, "invalid params: params must be an object");
  // A notification is never answered (notifications/initialized among them): nothing to do.
  if (notification) {
    Response accepted;
    accepted.status = 202;
    accepted.content_type.clear();
    return accepted;
  }
  const std::string& method = msg["method"].get_ref<const std::string&>();
  if (method == "initialize") return answer(id, "result", initializeResult(params));
  if (method == "notifications/initialized" || method == "ping") return answer(id, "result", json::object());
  if (method == "tools/list") return answer(id, "result", {{"tools", McpTools::descriptors()}});
  if (method == "tools/call") return callTool(std::move(tools), self, id, params, decision);
  return rpcError(id, kMethodNotFound, "method not found: " + method);
}

Response post(Services& svc, const std::shared_ptr<McpTools>& tools, RateLimit& limit, const Request& req) {
  RateLimit::Decision decision;
  if (auto refused = overLimit(limit, req, decision)) return *refused;
  auto self = svc.workspaces.findLive(req.param("id"));
  if (!self) return withLimitHeaders(Response::fromError(self.error()), decision);
  auto r = dispatch(tools, *self, req, decision);
  if (r.deferred) return r;  // its work adds the headers to what it answers
  return withLimitHeaders(std::move(r), decision);
}

// The SSE transport's endpoint event, then a `: ping` comment after each 30 s of silence (which
// also finds clients that left). Nothing else is ever sent: answers go back on the POSTs.
Response stream(Services& svc, RateLimit& limit, const Request& req) {
  RateLimit::Decision decision;
  if (auto refused = overLimit(limit, req, decision)) return *refused;
  auto self = svc.workspaces.findLive(req.param("id"));
  if (!self) return withLimitHeaders(Response::fromError(self.error()), decision);
  auto feed = std::make_shared<Feed>(1);
  feed->push("event: endpoint\ndata: /workspaces/" + self->id + "/mcp\n\n");
  return withLimitHeaders(Response::stream(feed, {.whole_events = true, .idle = svc.config.mcp_ping_interval}), decision);
}

}  // namespace

void registerMcpRoutes(Router& router, Services& svc) {
  auto tools = std::make_shared<McpTools>(svc.store, svc.workspaces, svc.a2a, svc.delegations);
  auto limit = std::make_shared<RateLimit>(kRequestsPerMinute, std::chrono::minutes(1));
  router.add("POST", "/workspaces/:id/mcp", AuthPolicy::workspace,
             [&svc, tools, limit](const Request& r) { return post(svc, tools, *limit, r); });
  router.add("GET", "/workspaces/:id/mcp/stream", AuthPolicy::workspace,
             [&svc, limit](const Request& r) { return stream(svc, *limit, r); });
}

}  // namespace ws
