#include "service/mcp_tools.h"

#include <algorithm>
#include <cctype>

#include "core/json.h"
#include "core/util.h"
#include "service/a2a_queue.h"
#include "service/hierarchy.h"
#include "service/memories.h"

namespace ws {
namespace {

using nlohmann::json;
using Outcome = McpTools::Outcome;

constexpr int kRecallLimit = 50;

// The reference's tools (their names, descriptions and argument schemas), and chat_history.
const char* const kDescriptors = R"json([
 {"name": "delegate_task",
  "description": "Delegate a task to another workspace via A2A and WAIT for its answer (up to 30 s). The target must be a peer; use list_peers to find one.",
  "inputSchema": {"type": "object", "properties": {
    "workspace_id": {"type": "string", "description": "Target workspace ID (from list_peers)"},
    "task": {"type": "string", "description": "The task to send to the target workspace"}},
   "required": ["workspace_id", "task"]}},
 {"name": "delegate_task_async",
  "description": "Send a task to another workspace and return at once with a task_id; poll it with check_task_status.",
  "inputSchema": {"type": "object", "properties": {
    "workspace_id": {"type": "string", "description": "Target workspace ID (from list_peers)"},
    "task": {"type": "string", "description": "The task to send to the target workspace"}},
   "required": ["workspace_id", "task"]}},
 {"name": "check_task_status",
  "description": "The status of a task sent with delegate_task_async (pending, dispatched, completed, failed) and its result when there is one.",
  "inputSchema": {"type": "object", "properties": {
    "workspace_id": {"type": "string", "description": "The workspace the task was sent to"},
    "task_id": {"type": "string", "description": "The task_id returned by delegate_task_async"}},
   "required": ["workspace_id", "task_id"]}},
 {"name": "list_peers",
  "description": "The workspaces this agent can talk to (siblings, parent, children): id, name, role, status and tier of each.",
  "inputSchema": {"type": "object", "properties": {}}},
 {"name": "get_workspace_info",
  "description": "This workspace's own id, name, role, tier, status and parent.",
  "inputSchema": {"type": "object", "properties": {}}},
 {"name": "commit_memory",
  "description": "Save information to persistent memory: LOCAL (this workspace) or TEAM (the workspaces it talks to). GLOBAL is not available through MCP.",
  "inputSchema": {"type": "object", "properties": {
    "content": {"type": "string", "description": "The information to remember"},
    "scope": {"type": "string", "enum": ["LOCAL", "TEAM"], "description": "LOCAL (default) or TEAM"}},
   "required": ["content"]}},
 {"name": "recall_memory",
  "description": "Search persistent memory (LOCAL and TEAM; GLOBAL is not available through MCP). An empty query returns every memory.",
  "inputSchema": {"type": "object", "properties": {
    "query": {"type": "string", "description": "Text to look for (empty: all)"},
    "scope": {"type": "string", "enum": ["LOCAL", "TEAM", ""], "description": "Only this scope (empty: LOCAL and TEAM)"}}}},
 {"name": "chat_history",
  "description": "The prior turns between this workspace and a peer, newest first: who spoke, when, the method, the message and the reply. Page back with before_ts set to the oldest turn's `at` (next_before_ts).",
  "inputSchema": {"type": "object", "properties": {
    "peer_id": {"type": "string", "description": "The other workspace's ID"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "At most this many turns (largest 100)"},
    "before_ts": {"type": "string", "format": "date-time", "description": "Only turns strictly older than this RFC 3339 time"}},
   "required": ["peer_id"]}}
])json";

Error invalid(const std::string& message) { return Error{Errc::invalid_argument, message}; }
Outcome failed(std::string text) { return {std::move(text), true}; }
Outcome ok(const json& j) { return {j.dump(2), false}; }

// A string argument: nothing when absent or null; invalid_argument when of another type.
Result<std::optional<std::string>> optionalString(const json& args, const char* key) {
  if (!args.contains(key) || args[key].is_null()) return std::optional<std::string>();
  if (!args[key].is_string()) return invalid(std::string(key) + " must be a string");
  return std::optional(args[key].get<std::string>());
}

Result<std::string> requiredString(const json& args, const char* key) {
  auto s = optionalString(args, key);
  if (!s) return s.error();
  if (!*s || (*s)->empty()) return invalid(std::string(key) + " is required");
  return **s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// A task for a peer: the target's id and the text.
Result<std::pair<std::string, std::string>> taskArguments(const json& args) {
  auto target = requiredString(args, "workspace_id");
  if (!target) return target.error();
  auto task = requiredString(args, "task");
  if (!task) return task.error();
  if (!isUuid(*target)) return invalid("workspace_id must be a workspace id (a UUID)");
  if (task->size() > Delegations::kMaxTaskBytes) return invalid("task is at most 256 KiB");
  return std::pair(*target, *task);
}

json turnJson(const ChatTurn& t, const std::string& self) {
  const auto text = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json j{{"at", t.at},       {"from", t.from},         {"to", t.to},        {"speaker", t.from == self ? "self" : "peer"},
         {"method", t.method}, {"message", text(t.message)}, {"reply", text(t.reply)}, {"status", t.status}};
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

}  // namespace

const json& McpTools::descriptors() {
  static const json kList = json::parse(kDescriptors);
  return kList;
}

Result<Outcome> McpTools::call(const Workspace& self, const std::string& name, const json& arguments) {
  if (!arguments.is_object()) return invalid("arguments must be an object");
  if (name == "chat_history") return chatHistory(self, arguments);
  if (name == "list_peers") return listPeers(self);
  if (name == "get_workspace_info") return workspaceInfo(self);
  if (name == "commit_memory") return commitMemory(self, arguments);
  if (name == "recall_memory") return recallMemory(self, arguments);
  if (name == "delegate_task") return delegateTask(self, arguments);
  if (name == "delegate_task_async") return delegateTaskAsync(self, arguments);
  if (name == "check_task_status") return checkTaskStatus(self, arguments);
  return invalid("unknown tool: " + name);
}

Result<Outcome> McpTools::chatHistory(const Workspace& self, const json& args) {
  ChatHistory::Query q{.self = self.id};
  auto peer = requiredString(args, "peer_id");
  if (!peer) return peer.error();
  q.peer = *peer;
  if (args.contains("limit") && !args["limit"].is_null()) {
    if (!args["limit"].is_number_integer()) return invalid("limit must be an integer");
    q.limit = static_cast<int>(std::clamp<std::int64_t>(args["limit"].get<std::int64_t>(), 0, ChatHistory::kMaxLimit));
  }
  auto before = optionalString(args, "before_ts");
  if (!before) return before.error();
  if (*before && !(*before)->empty()) q.before_ts = **before;
  auto turns = history_.turns(q);
  if (!turns && turns.error().code == Errc::invalid_argument) return turns.error();
  if (!turns) return failed(turns.error().message);
  json list = json::array();
  for (const auto& t : *turns) list.push_back(turnJson(t, self.id));
  const bool full = static_cast<int>(turns->size()) == q.limit;
  return ok({{"peer_id", q.peer},
             {"order", "newest_first"},
             {"turns", list},
             {"next_before_ts", full ? json(turns->back().at) : json(nullptr)}});
}

Result<Outcome> McpTools::listPeers(const Workspace& self) {
  auto all = store_.listWorkspaces();
  if (!all) return failed(all.error().message);
  json peers = json::array();
  for (const auto& w : *all) {
    if (w.id == self.id) continue;
    const bool sibling = w.parent_id == self.parent_id;
    const bool parent = self.parent_id && w.id == *self.parent_id;
    const bool child = w.parent_id && *w.parent_id == self.id;
    if (sibling || parent || child)
      peers.push_back({{"id", w.id}, {"name", w.name}, {"role", w.role.value_or("")}, {"status", toString(w.status)}, {"tier", w.tier}});
  }
  if (peers.empty()) return Outcome{"No peers found."};
  return ok(peers);
}

Result<Outcome> McpTools::workspaceInfo(const Workspace& self) {
  json info{{"id", self.id}, {"name", self.name}, {"role", self.role.value_or("")}, {"tier", self.tier}, {"status", toString(self.status)}};
  if (self.parent_id) info["parent_id"] = *self.parent_id;
  return ok(info);
}

Result<Outcome> McpTools::commitMemory(const Workspace& self, const json& args) {
  auto content = requiredString(args, "content");
  if (!content) return content.error();
  auto scope = optionalString(args, "scope");
  if (!scope) return scope.error();
  const std::string s = upper(scope->value_or(""));
  if (s == "GLOBAL") return failed("GLOBAL scope is not permitted via the MCP bridge: use LOCAL or TEAM");
  if (!s.empty() && s != "LOCAL" && s != "TEAM") return invalid("scope must be LOCAL or TEAM");
  if (content->size() > kMaxMemoryContent) return invalid("content is at most 100000 bytes");
  auto record = makeMemory(self, *content, s.empty() ? "LOCAL" : s, "");
  if (!record) return failed(record.error().message);
  if (auto stored = store_.insertMemory(*record); !stored) return failed("failed to save memory");
  return ok({{"id", record->id}, {"scope", record->scope}});
}

Result<Outcome> McpTools::recallMemory(const Workspace& self, const json& args) {
  auto query = optionalString(args, "query");
  if (!query) return query.error();
  auto scope = optionalString(args, "scope");
  if (!scope) return scope.error();
  const std::string s = upper(scope->value_or(""));
  if (s == "GLOBAL") return failed("GLOBAL scope is not permitted via the MCP bridge: use LOCAL, TEAM or none");
  if (!s.empty() && s != "LOCAL" && s != "TEAM") return invalid("scope must be LOCAL, TEAM or empty");
  MemoryFilter f;
  f.local_of = {self.id};
  f.global = false;
  f.limit = kRecallLimit;
  if (!s.empty()) f.scope = s;
  if (*query && !(*query)->empty()) f.query = **query;
  // TEAM memories of every workspace this one may talk to, as GET /workspaces/:id/memories.
  auto all = store_.listWorkspaces();
  if (!all) return failed(all.error().message);
  for (const auto& other : *all) {
    if (other.id == self.id) continue;
    if (auto allowed = canCommunicate(store_, self.id, other.id); allowed && *allowed) f.team_of.push_back(other.id);
  }
  auto rows = store_.listMemories(f);
  if (!rows) return failed("memory search failed: " + rows.error().message);
  if (rows->empty()) return Outcome{"No memories found."};
  json out = json::array();
  for (const auto& m : *rows)
    out.push_back({{"id", m.id}, {"workspace_id", m.workspace_id}, {"content", m.content}, {"scope", m.scope}, {"created_at", m.created_at}});
  return ok(out);
}

Result<Outcome> McpTools::delegateTask(const Workspace& self, const json& args) {
  auto parsed = taskArguments(args);
  if (!parsed) return parsed.error();
  const auto& [target_id, task] = *parsed;
  if (target_id == self.id) return failed("self-delegation not permitted");
  auto target = workspaces_.findLive(target_id);
  if (!target) return failed(target.error().code == Errc::not_found ? "workspace " + target_id + " not found" : target.error().message);
  auto allowed = canCommunicate(store_, self.id, target_id);
  if (!allowed) return failed(allowed.error().message);
  if (!*allowed) return failed("workspace " + self.id + " is not authorised to communicate with " + target_id);
  if (target->budget_limit && target->monthly_spend >= *target->budget_limit) return failed("workspace budget limit exceeded");
  if (target->url.empty()) {
    if (target->status != Status::hibernated)
      return failed("workspace " + target_id + " has no URL (status: " + std::string(toString(target->status)) + ")");
    workspaces_.wakeInBackground(target_id);
    return failed("workspace " + target_id + " is hibernated; waking it: try again in 15 s");
  }
  json rpc{{"method", "message/send"},
           {"params", {{"message", {{"role", "user"}, {"parts", {{{"kind", "text"}, {"type", "text"}, {"text", task}}}}}}}}};
  rpc = A2aDelivery::normalize(std::move(rpc));
  a2a_.addEnvelope(rpc, self);
  A2aQueue::NoQueueing direct;  // a busy peer is a failure here: a queue receipt is no answer
  const A2aReply reply = a2a_.deliver(*target, self.id, rpc, kDelegateTimeout);
  const json body = parseJsonOr(reply.body, json());
  if (body.is_object() && body.contains("error")) {
    const json& e = body["error"];
    const std::string why = e.is_string()                                               ? e.get<std::string>()
                            : e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                                                                  : e.dump();
    return failed("A2A call failed (" + std::to_string(reply.status) + "): " + why);
  }
  if (!reply.ok()) return failed("A2A call failed (" + std::to_string(reply.status) + ")");
  return Outcome{Delegations::answerText(reply.body)};
}

Result<Outcome> McpTools::delegateTaskAsync(const Workspace& self, const json& args) {
  auto parsed = taskArguments(args);
  if (!parsed) return parsed.error();
  const auto& [target_id, task] = *parsed;
  auto accepted = delegations_.delegate(self, target_id, task, "");
  if (!accepted) return failed(accepted.error().message);
  return ok({{"task_id", accepted->delegation_id}, {"status", "dispatched"}, {"target_id", target_id}});
}

Result<Outcome> McpTools::checkTaskStatus(const Workspace& self, const json& args) {
  auto target_id = requiredString(args, "workspace_id");
  if (!target_id) return target_id.error();
  auto task_id = requiredString(args, "task_id");
  if (!task_id) return task_id.error();
  auto row = store_.findDelegation(self.id, *task_id);
  if (!row) return failed("status lookup failed: " + row.error().message);
  if (!*row || (*row)->target_id != *target_id)
    return ok({{"task_id", *task_id}, {"status", "not_found"}, {"note", "task not tracked or not yet dispatched"}});
  json out{{"task_id", *task_id}, {"status", (*row)->status}, {"target_id", *target_id}};
  if (!(*row)->error_detail.empty()) out["error"] = (*row)->error_detail;
  // The answer is on the delegation's delegate_result row.
  auto rows = delegations_.list(self.id);
  if (rows)
    for (const auto& r : *rows) {
      const json request = parseJsonOr(r.request_body.value_or(""), json());
      const json response = parseJsonOr(r.response_body.value_or(""), json());
      if (r.method == "delegate_result" && request.is_object() && request.contains("delegation_id") &&
          request["delegation_id"] == *task_id && response.is_object() && response.contains("text") && response["text"].is_string()) {
        out["result"] = response["text"];
        break;
      }
    }
  return ok(out);
}

}  // namespace ws
