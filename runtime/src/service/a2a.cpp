#include "service/a2a.h"

#include <spdlog/spdlog.h>

#include "core/http_client.h"
#include "core/json.h"
#include "core/util.h"
#include "parity/parity.h"
#include "service/a2a_queue.h"
#include "service/token_usage.h"

namespace ws {
namespace {

using nlohmann::json;

A2aReply verdict(int status, json body, int retry_after = 0) { return {status, body.dump(), retry_after}; }
A2aReply failure(int status, const std::string& message) { return verdict(status, {{"error", message}}); }

}  // namespace

A2aReply noAgentAddress(const Workspace& target) {
  return verdict(503, {{"error", "workspace has no URL"}, {"status", toString(target.status)}});
}

json A2aDelivery::normalize(json body) {
  if (!body.contains("jsonrpc"))
    body = {{"jsonrpc", "2.0"}, {"id", newUuid()}, {"method", body.value("method", "message/send")},
            {"params", body.value("params", json::object())}};
  if (body.contains("params") && body["params"].is_object() && body["params"].contains("message") &&
      body["params"]["message"].is_object() && !body["params"]["message"].contains("messageId"))
    body["params"]["message"]["messageId"] = newUuid();
  return body;
}

void A2aDelivery::addEnvelope(json& rpc, const Workspace& caller) const {
  PARITY_IMPL(a2a_envelope_enrichment, docker, "params.message.metadata gets peer_id, peer_name, peer_role, agent_card_url");
  PARITY_IMPL(a2a_envelope_enrichment, swarm, "params.message.metadata gets peer_id, peer_name, peer_role, agent_card_url");
  PARITY_IMPL(a2a_envelope_enrichment, controlplane, "params.message.metadata gets peer_id, peer_name, peer_role, agent_card_url");
  if (!rpc.contains("params") || !rpc["params"].is_object() || !rpc["params"].contains("message") ||
      !rpc["params"]["message"].is_object())
    return;
  json& metadata = rpc["params"]["message"]["metadata"];
  if (!metadata.is_object()) metadata = json::object();
  metadata["peer_id"] = caller.id;
  metadata["peer_name"] = caller.name;
  metadata["peer_role"] = caller.role ? json(*caller.role) : json(nullptr);
  metadata["agent_card_url"] = config_.platform_url + "/registry/discover/" + caller.id;
}

OutgoingRpc OutgoingRpc::of(const json& rpc) { return {rpc.dump(), rpc.value("method", "")}; }

std::optional<OutgoingRpc> OutgoingRpc::asIs(std::string_view body) {
  const auto head = peekJsonRpc(body);
  if (!head || !head->has_jsonrpc || head->message_lacks_id) return std::nullopt;
  return OutgoingRpc{std::string(body), head->method};
}

Result<HttpCall> A2aDelivery::callFor(const Workspace& target, OutgoingRpc rpc, std::chrono::seconds timeout, Sent& sent) const {
  sent = {target.id, target.external, "", std::move(rpc.method), std::move(rpc.body)};
  // Addresses recorded by a backend are ours; an external agent's URL is checked like any URL,
  // at every delivery (its name may resolve elsewhere by now), and the call goes to the
  // addresses that passed.
  const UrlPolicy policy = target.external ? agentUrlPolicy() : UrlPolicy{true, true};
  auto endpoint = resolveAgentUrl(target.url, policy);
  if (!endpoint) return makeError(Errc::forbidden, "workspace URL refused: " + endpoint.error().message);
  if (endpoint->https) return makeError(Errc::unsupported, "https agent URLs are not supported yet");
  HttpCall call{.peer = "agent", .method = "POST", .host = endpoint->host, .port = endpoint->port, .target = endpoint->target};
  call.addresses = std::move(endpoint->addresses);
  call.body = sent.body;
  call.timeout = timeout;
  return call;
}

A2aReply A2aDelivery::deliver(const Workspace& target, const std::string& caller, const json& rpc,
                              std::chrono::seconds timeout) {
  return deliver(target, caller, OutgoingRpc::of(rpc), timeout);
}

A2aReply A2aDelivery::deliver(const Workspace& target, const std::string& caller, const OutgoingRpc& rpc,
                              std::chrono::seconds timeout) {
  const auto t0 = std::chrono::steady_clock::now();
  Sent sent;
  auto call = callFor(target, rpc, timeout, sent);
  sent.caller = caller;
  auto reply = call ? httpExchange(*call) : Result<HttpReply>(call.error());
  return finish(sent, std::move(reply), std::chrono::steady_clock::now() - t0);
}

void A2aDelivery::deliverAsync(const Workspace& target, const std::string& caller, OutgoingRpc rpc, std::chrono::seconds timeout,
                               std::function<void(A2aReply)> done) {
  const auto t0 = std::chrono::steady_clock::now();
  Sent sent;
  auto call = callFor(target, std::move(rpc), timeout, sent);
  sent.caller = caller;
  auto finished = [this, sent = std::move(sent), t0, done = std::move(done)](Result<HttpReply> reply) mutable {
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    if (reply) return done(finish(sent, std::move(reply), elapsed));
    // A failed delivery asks the backend whether the workload is gone: a blocking call, so
    // off the I/O thread.
    workspaces_.runInBackground([this, sent = std::move(sent), reply = std::move(reply), elapsed,
                                 done = std::move(done)]() mutable { done(finish(sent, std::move(reply), elapsed)); });
  };
  if (!call) return finished(call.error());
  pooledExchange(std::move(*call), std::move(finished));
}

bool A2aDelivery::deliversWithoutBlocking(const Workspace& target) const {
  return onIoThread() && !needsNameLookup(target.url);
}

A2aReply A2aDelivery::finish(const Sent& sent, Result<HttpReply> reply, std::chrono::steady_clock::duration elapsed) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  const char* outcome = "ok";
  // Whatever the status, an answer may say what the model run cost (as the reference counts).
  if (auto counted = reply ? recordTokenUsage(store_, sent.target_id, reply->body) : Result<>(); !counted)
    spdlog::warn("a2a: cannot record token usage of {}: {}", sent.target_id, counted.error().message);

  ActivityRecord a;
  a.workspace_id = sent.target_id;
  a.activity_type = "a2a_receive";
  a.method = sent.method;
  a.summary = "A2A " + a.method + (sent.caller.empty() ? " from the canvas" : " from " + sent.caller);
  if (!sent.caller.empty()) a.source_id = sent.caller;
  a.target_id = sent.target_id;
  a.request_body = sent.body;
  a.duration_ms = ms;
  a.created_at = nowTime();

  A2aReply res;
  if (!reply) {
    a.status = reply.error().code == Errc::timeout ? "timeout" : "error";
    a.error_detail = reply.error().message;
    // Reactive liveness: a workload that is gone goes offline and is restarted.
    const auto live = sent.external ? Liveness{true, std::nullopt} : workspaces_.isRunningAuto(sent.target_id);
    outcome = reply.error().code == Errc::timeout ? "timeout" : "unreachable";
    if (reply.error().code == Errc::forbidden || reply.error().code == Errc::unsupported) {
      outcome = "refused";
      res = failure(502, reply.error().message);
    } else if (!live.error && !live.running) {
      workspaces_.markDeadAndRestart(sent.target_id, "A2A delivery found the workload gone");
      res = verdict(503, {{"error", "workspace agent is not running; restarting it"}, {"restarting", true}});
    } else if (reply.error().code == Errc::timeout) {
      auto queued = queue_ ? queue_->whenBusy(sent.target_id, sent.caller, parseJsonOr(sent.body, json::object())) : std::nullopt;
      res = queued ? *queued : verdict(503, {{"error", "workspace agent is busy"}, {"busy", true}, {"retry_after", 30}}, 30);
    } else {
      res = failure(502, "failed to reach workspace agent");
    }
  } else if (reply->status >= 200 && reply->status < 300) {
    a.response_body = isJson(reply->body) ? reply->body : json(reply->body).dump();
    res.status = reply->status;
    res.body = std::move(reply->body);
  } else {
    const json agent = parseJsonOr(reply->body, json());
    const std::string why = agent.is_object() && agent.contains("error") && agent["error"].is_string()
                                ? agent["error"].get<std::string>()
                                : "agent answered " + std::to_string(reply->status);
    a.status = "error";
    a.error_detail = why;
    outcome = "agent_error";
    res = failure(reply->status, why);
  }
  if (metrics_) metrics_->a2aDelivery(outcome, elapsed);
  // Two numbers: written directly, as the proxy does this for every canvas call.
  if (sent.caller.empty())
    events_.publish(Event{0, "A2A_RESPONSE", sent.target_id,
                          "{\"status\":" + std::to_string(res.status) + ",\"duration_ms\":" + std::to_string(ms) + "}",
                          a.created_at});
  // Written behind: the answer does not wait for the database (the window: docs/operations.md).
  store_.appendActivity(std::move(a));
  return res;
}

A2aReply A2aDelivery::send(const Workspace& target, json rpc, std::chrono::seconds timeout) {
  if (target.url.empty()) return noAgentAddress(target);
  return deliver(target, "", normalize(std::move(rpc)), timeout);
}

}  // namespace ws
