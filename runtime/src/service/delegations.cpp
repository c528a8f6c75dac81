#include "service/delegations.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>


#include "core/json.h"
#include "core/util.h"
#include "service/a2a_queue.h"
#include "service/agent_messages.h"
#include "service/hierarchy.h"

namespace ws {
namespace {

using nlohmann::json;

constexpr const char* kDelegate = "delegate";
constexpr const char* kResult = "delegate_result";

std::string preview(const std::string& s, std::size_t chars) { return AgentMessages::preview(s, chars); }

// An agent's answer need not be UTF-8; what goes into events and rows must be.
std::string utf8Safe(const std::string& s) {
  if (isValidUtf8(s)) return s;
  return json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

// The first text part of a list of A2A parts ("kind" in A2A 0.2+, "type" before).
std::optional<std::string> firstText(const json& parts) {
  if (!parts.is_array()) return std::nullopt;
  for (const auto& p : parts)
    if (p.is_object() && p.value("kind", p.value("type", "")) == "text" && p.contains("text") && p["text"].is_string())
      return p["text"].get<std::string>();
  return std::nullopt;
}

// Why a reply failed: its `error` (a message, or a JSON-RPC error object), else its status.
std::optional<std::string> failureOf(const A2aReply& reply) {
  const json body = parseJsonOr(reply.body, json());
  const json error = body.is_object() && body.contains("error") ? body["error"] : json();
  if (reply.ok() && error.is_null()) return std::nullopt;
  if (error.is_string()) return error.get<std::string>();
  if (error.is_object() && error.contains("message") && error["message"].is_string()) return error["message"].get<std::string>();
  return reply.ok() ? "agent answered with an error" : "agent answered " + std::to_string(reply.status);
}

// Worth a second attempt: the message cannot have been delivered (502: unreachable; 503 with
// restarting: the workload was gone and is being restarted). A busy agent may have it already.
bool transient(const A2aReply& reply) {
  if (reply.status == 502) return true;
  if (reply.status != 503) return false;
  const json body = parseJsonOr(reply.body, json());
  return body.is_object() && body.value("restarting", false) == true;
}

/// The activity row that stands for a delegation (sent here, or recorded by the agent).
ActivityRecord delegationRow(const std::string& source_id, const std::string& target_id, const std::string& task,
                             const std::string& delegation_id, const char* status) {
  ActivityRecord row;
  row.workspace_id = source_id;
  row.activity_type = "delegation";
  row.method = kDelegate;
  row.source_id = source_id;
  row.target_id = target_id;
  row.summary = "Delegating to " + target_id;
  row.request_body = json{{"task", task}, {"delegation_id", delegation_id}}.dump(-1, ' ', false, json::error_handler_t::replace);
  row.status = status;
  row.created_at = nowTime();
  return row;
}

}  // namespace

Delegations::Delegations(Store& store, EventBus& events, WorkspaceService& workspaces, A2aDelivery& a2a, Options options)
    : store_(store), events_(events), workspaces_(workspaces), a2a_(a2a), options_(options), pool_(options.threads) {}

Delegations::~Delegations() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  drain();
  pool_.join();
}

void Delegations::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

std::string Delegations::answerText(const std::string& body) {
  const json answer = parseJsonOr(body, json());
  if (!answer.is_object() || !answer.contains("result") || !answer["result"].is_object()) return utf8Safe(body);
  const json& result = answer["result"];
  if (auto text = firstText(result.value("parts", json()))) return *text;
  const json artifacts = result.value("artifacts", json());
  if (artifacts.is_array())
    for (const auto& a : artifacts)
      if (a.is_object())
        if (auto text = firstText(a.value("parts", json()))) return *text;
  return utf8Safe(body);
}

Result<Delegations::Accepted> Delegations::delegate(const Workspace& source, const std::string& target_id,
                                                    const std::string& task, const std::string& idempotency_key) {
  if (!isUuid(target_id)) return makeError(Errc::invalid_argument, "target_id must be a valid UUID");
  if (task.empty()) return makeError(Errc::invalid_argument, "invalid delegation request");
  if (task.size() > kMaxTaskBytes) return makeError(Errc::too_large, "task is at most 256 KiB");
  if (idempotency_key.size() > kMaxIdBytes) return makeError(Errc::invalid_argument, "idempotency_key is at most 256 bytes");
  // An agent delegating to itself would wait on its own run lock forever.
  if (target_id == source.id) return makeError(Errc::invalid_argument, "self-delegation not permitted");
  auto target = workspaces_.findLive(target_id);
  if (!target) return target.error().code == Errc::not_found ? makeError(Errc::not_found, "target workspace not found") : target.error();
  auto allowed = canCommunicate(store_, source.id, target_id);
  if (!allowed) return allowed.error();
  if (!*allowed) return makeError(Errc::forbidden, "workspace may not communicate with the target");

  const std::string delegation_id = newUuid();
  ActivityRecord row = delegationRow(source.id, target_id, task, delegation_id, "pending");
  if (idempotency_key.empty()) {
    if (auto inserted = store_.insertActivity(row); !inserted) return inserted.error();
  } else {
    row.idempotency_key = idempotency_key;
    auto inserted = store_.insertKeyedActivity(row);
    if (!inserted) return inserted.error();
    if (const auto& held = inserted->existing) {
      const json request = parseJsonOr(held->request_body.value_or(""), json::object());
      return Accepted{request.is_object() ? request.value("delegation_id", "") : "", held->status,
                      held->target_id.value_or(""), true};
    }
  }

  json rpc{{"method", "message/send"},
           {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"type", "text"}, {"text", task}}}}}}}}};
  rpc = A2aDelivery::normalize(std::move(rpc));
  a2a_.addEnvelope(rpc, source);
  // Announced before the work starts, so that live clients see SENT before its STATUS.
  events_.record("DELEGATION_SENT", source.id,
                 {{"delegation_id", delegation_id}, {"target_id", target_id}, {"task_preview", preview(task, 100)}});
  {
    std::lock_guard lock(mutex_);
    ++in_flight_;
  }
  boost::asio::post(pool_, [this, source, target_id, delegation_id, rpc = std::move(rpc)] {
    try {
      execute(source, target_id, delegation_id, rpc);
    } catch (const std::exception& e) {
      spdlog::error("delegation {}: {}", delegation_id, e.what());
    }
    std::lock_guard lock(mutex_);
    if (--in_flight_ == 0) idle_.notify_all();
  });
  return Accepted{delegation_id, "delegated", target_id, false};
}

A2aReply Delegations::attempt(const Workspace& source, const std::string& target_id, const json& rpc) {
  // The target as it is now: it may have registered, moved or gone since the request.
  auto target = workspaces_.findLive(target_id);
  if (!target) return A2aReply{target.error().code == Errc::not_found ? 404 : 500, json{{"error", target.error().message}}.dump()};
  if (target->budget_limit && target->monthly_spend >= *target->budget_limit)
    return A2aReply{402, json{{"error", "workspace budget limit exceeded"}}.dump()};
  if (target->url.empty()) {
    if (target->status != Status::hibernated) return noAgentAddress(*target);
    workspaces_.wakeInBackground(target->id);
    return A2aReply{503, json{{"error", "workspace is hibernated; waking it"}, {"restarting", true}}.dump()};
  }
  // A busy target fails the delegation rather than queueing it: its answer could not reach the
  // delegation's rows from the queue.
  A2aQueue::NoQueueing direct;
  return a2a_.deliver(*target, source.id, rpc, options_.timeout);
}

void Delegations::execute(const Workspace& source, const std::string& target_id, const std::string& delegation_id,
                          const json& rpc) {
  const auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  if (stopping()) {
    finish(source, target_id, delegation_id, A2aReply{503, json{{"error", "the server stopped before sending it"}}.dump()});
    return;
  }
  // Marked as the server's own: if the server dies before the outcome, the next start fails it.
  if (auto set = store_.dispatchDelegation(source.id, delegation_id); !set)
    spdlog::warn("delegation {}: {}", delegation_id, set.error().message);
  events_.record("DELEGATION_STATUS", source.id,
                 {{"delegation_id", delegation_id}, {"target_id", target_id}, {"status", "dispatched"}});
  A2aReply reply = attempt(source, target_id, rpc);
  if (transient(reply)) {
    // A restart (or a wake) is under way: give the agent time to register its new address.
    std::unique_lock lock(mutex_);
    const bool stopped = stop_.wait_for(lock, options_.retry_delay, [this] { return stopping_; });
    lock.unlock();
    if (!stopped) reply = attempt(source, target_id, rpc);
  }
  finish(source, target_id, delegation_id, reply);
}

void Delegations::finish(const Workspace& source, const std::string& target_id, const std::string& delegation_id,
                         const A2aReply& reply) {
  if (auto why = failureOf(reply)) {
    spdlog::info("delegation {}: {} -> {} failed: {}", delegation_id, source.id, target_id, *why);
    if (auto set = store_.setDelegationStatus(source.id, delegation_id, "failed", *why); !set)
      spdlog::warn("delegation {}: {}", delegation_id, set.error().message);
    announceFailure(source.id, target_id, delegation_id, *why);
    return;
  }
  const std::string text = answerText(reply.body);
  logResult(source.id, target_id, delegation_id, "completed", text, "");
  if (auto set = store_.setDelegationStatus(source.id, delegation_id, "completed", ""); !set)
    spdlog::warn("delegation {}: {}", delegation_id, set.error().message);
  events_.record("DELEGATION_COMPLETE", source.id,
                 {{"delegation_id", delegation_id}, {"target_id", target_id}, {"response_preview", preview(text, 200)}});
}

void Delegations::announceFailure(const std::string& source, const std::optional<std::string>& target,
                                  const std::string& delegation_id, const std::string& error) {
  logResult(source, target, delegation_id, "failed", "", error);
  json event{{"delegation_id", delegation_id}, {"error", error}};
  if (target) event["target_id"] = *target;
  events_.record("DELEGATION_FAILED", source, event);
}

Result<std::size_t> Delegations::failInterrupted() { return failInFlightBefore("9999-12-31T23:59:59.999Z"); }

Result<std::size_t> Delegations::failStalled() {
  const auto longest = 2 * (2 * options_.timeout + std::chrono::duration_cast<std::chrono::seconds>(options_.retry_delay));
  return failInFlightBefore(formatTime(Clock::now() - longest));
}

Result<std::size_t> Delegations::failInFlightBefore(const std::string& started_before) {
  auto cut_off = store_.failInterruptedDelegations(kInterrupted, started_before);
  if (!cut_off) return cut_off.error();
  for (const auto& row : *cut_off) {
    const json request = parseJsonOr(row.request_body.value_or(""), json::object());
    const std::string delegation_id = request.is_object() ? request.value("delegation_id", "") : "";
    spdlog::warn("delegation {}: {} -> {} was in flight when the server stopped; failed", delegation_id,
                 row.workspace_id, row.target_id.value_or(""));
    announceFailure(row.workspace_id, row.target_id, delegation_id, kInterrupted);
  }
  return cut_off->size();
}

// A delegate_result row. It names its delegation in the request body, as the delegate row does,
// so that a list can pair them; a completed one keeps the answer's text in the response body.
void Delegations::logResult(const std::string& source, const std::optional<std::string>& target,
                            const std::string& delegation_id, const std::string& status, const std::string& text,
                            const std::string& error) {
  ActivityRecord row;
  row.workspace_id = source;
  row.activity_type = "delegation";
  row.method = kResult;
  row.source_id = source;
  row.target_id = target;
  row.summary = status == "completed" ? "Delegation completed (" + preview(text, 80) + ")" : "Delegation failed";
  row.request_body = json{{"delegation_id", delegation_id}}.dump();
  if (status == "completed")
    row.response_body = json{{"text", text}, {"delegation_id", delegation_id}}.dump(-1, ' ', false, json::error_handler_t::replace);
  row.status = status;
  row.error_detail = error;
  row.created_at = nowTime();
  if (auto logged = store_.insertActivity(row); !logged)
    spdlog::warn("delegation {}: cannot log its result: {}", delegation_id, logged.error().message);
}

Result<> Delegations::record(const Workspace& source, const std::string& target_id, const std::string& task,
                             const std::string& delegation_id) {
  if (!isUuid(target_id)) return makeError(Errc::invalid_argument, "target_id must be a valid UUID");
  if (task.empty() || delegation_id.empty()) return makeError(Errc::invalid_argument, "invalid request body");
  if (task.size() > kMaxTaskBytes) return makeError(Errc::too_large, "task is at most 256 KiB");
  if (delegation_id.size() > kMaxIdBytes) return makeError(Errc::invalid_argument, "delegation_id is at most 256 bytes");
  auto known = store_.findDelegation(source.id, delegation_id);
  if (!known) return known.error();
  if (*known) return makeError(Errc::conflict, "delegation already recorded");
  ActivityRecord row = delegationRow(source.id, target_id, task, delegation_id, "dispatched");
  if (auto inserted = store_.insertActivity(row); !inserted) return inserted.error();
  events_.record("DELEGATION_SENT", source.id,
                 {{"delegation_id", delegation_id}, {"target_id", target_id}, {"task_preview", preview(task, 100)}});
  return {};
}

Result<> Delegations::update(const Workspace& source, const std::string& delegation_id, const std::string& status,
                             const std::string& error, const std::string& response_preview) {
  if (status != "completed" && status != "failed")
    return makeError(Errc::invalid_argument, "status must be 'completed' or 'failed'");
  if (error.size() > kMaxTaskBytes || response_preview.size() > kMaxTaskBytes)
    return makeError(Errc::too_large, "error and response_preview are at most 256 KiB");
  auto known = store_.findDelegation(source.id, delegation_id);
  if (!known) return known.error();
  if (!*known) return makeError(Errc::not_found, "delegation not found");
  if (auto set = store_.setDelegationStatus(source.id, delegation_id, status, error); !set) return set.error();
  if (status == "completed") {
    logResult(source.id, (*known)->target_id, delegation_id, "completed", response_preview, "");
    events_.record("DELEGATION_COMPLETE", source.id,
                   {{"delegation_id", delegation_id}, {"response_preview", preview(response_preview, 200)}});
  } else {
    events_.record("DELEGATION_FAILED", source.id, {{"delegation_id", delegation_id}, {"error", error}});
  }
  return {};
}

Result<std::vector<ActivityRecord>> Delegations::list(const std::string& workspace_id) {
  ActivityFilter f;
  f.workspace_id = workspace_id;
  f.methods = {kDelegate, kResult};
  f.limit = kListLimit;
  return store_.listActivity(f);
}

}  // namespace ws
