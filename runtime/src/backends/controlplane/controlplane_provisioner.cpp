#include "backends/controlplane/controlplane_provisioner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include "core/http_client.h"
#include "core/json.h"
#include "parity/parity.h"

namespace ws::controlplane {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;

namespace {

Error unwired() { return makeError(Errc::backend_unavailable, "control-plane backend: no control plane URL is configured"); }

std::string encode(const std::string& s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// The CP's own error text, never the raw body (which may carry anything).
std::string describe(int status, const std::string& body) {
  auto j = parseJsonOr(body, json());
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    return "(" + std::to_string(status) + "): " + j["error"].get<std::string>();
  return "(" + std::to_string(status) + "): <unstructured body, " + std::to_string(body.size()) + " bytes>";
}

}  // namespace

ControlPlaneProvisioner::ControlPlaneProvisioner(ControlPlaneConfig config, InstanceLookup lookup)
    : config_(std::move(config)), lookup_(std::move(lookup)) {
  if (config_.base_url.empty()) return;
  auto url = boost::urls::parse_absolute_uri(config_.base_url);
  if (!url || url->scheme() != "http") return;  // stays unwired; start() explains
  host_ = url->host_address();
  port_ = url->has_port() ? std::string(url->port()) : "80";
  base_path_ = url->path();
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
}

Result<ControlPlaneProvisioner::Response> ControlPlaneProvisioner::send(const std::string& method, const std::string& target,
                                                    const std::string& body, bool admin, std::size_t cap,
                                                    std::chrono::milliseconds timeout,
                                                    const std::string& content_type) const {
  if (host_.empty()) {
    if (!config_.base_url.empty() && config_.base_url.rfind("http://", 0) != 0)
      return makeError(Errc::backend_unavailable, "control plane URL must be http://host:port: " + config_.base_url);
    return unwired();
  }
  HttpCall call{.peer = "control plane", .method = method, .host = host_, .port = port_};
  call.target = base_path_ + target;
  const std::string& bearer = admin ? (config_.admin_api_token.empty() ? config_.shared_secret : config_.admin_api_token)
                                    : config_.shared_secret;
  if (!bearer.empty()) call.headers.emplace_back("Authorization", "Bearer " + bearer);
  if (!config_.admin_token.empty()) call.headers.emplace_back("X-Molecule-Admin-Token", config_.admin_token);
  call.body = body;
  call.content_type = content_type;
  call.cap = cap;
  call.timeout = timeout;
  auto reply = httpExchange(call);
  if (!reply) return reply.error();
  return Response{reply->status, std::move(reply->body)};
}

Result<std::string> ControlPlaneProvisioner::instanceOf(const std::string& workspace_id) const {
  if (!lookup_) return std::string();
  return lookup_(workspace_id);
}

std::string ControlPlaneProvisioner::instancePath(const std::string& workspace_id, const std::string& suffix,
                                        const std::string& instance) const {
  return "/cp/workspaces/" + encode(workspace_id) + suffix + "?instance_id=" + encode(instance);
}

Result<StartResult> ControlPlaneProvisioner::start(const WorkspaceConfig& c) {
  PARITY_IMPL(workspace_start, controlplane, "POST /cp/workspaces/provision with the injected environment and tier");
  PARITY_IMPL(config_injection, controlplane, "config files travel in the provision request; the instance writes them before the agent starts");
  PARITY_IMPL(template_recipes, controlplane, "the instance runs templates/default/install.sh as user-data");
  PARITY_IMPL(contract_cleanup, controlplane, "every instance is provisioned under the tenant's org_id: tools/contract-sweep terminates a dead run's org on cp-emulator");
  PARITY_DIVERGES(workspace_restart, "/workspace survives a restart on Docker (a named volume); control-plane instances are stateless and boot with an empty /workspace", "docs/roadmap.md#stateful-instances");
  json body{{"org_id", config_.org_id},
            {"workspace_id", c.workspace_id},
            {"runtime", c.runtime},
            {"tier", c.tier},
            {"platform_url", c.platform_url},
            {"env", c.env},
            {"config_files", c.config_files}};  // synchronous config injection (extension)
  auto r = send("POST", "/cp/workspaces/provision", body.dump(), false, kMaxResponseBytes, config_.timeout);
  if (!r) return r.error();
  if (r->status != 201) return makeError(Errc::backend_error, "provision failed " + describe(r->status, r->body));
  auto j = parseJsonOr(r->body, json());
  if (!j.is_object() || !j.contains("instance_id") || !j["instance_id"].is_string())
    return makeError(Errc::backend_error, "provision answered 201 without an instance_id");
  StartResult out;
  out.instance_id = j["instance_id"];
  if (j.contains("private_ip") && j["private_ip"].is_string() && !j["private_ip"].get<std::string>().empty())
    out.url = "http://" + j["private_ip"].get<std::string>() + ":8000";
  return out;
}

Result<> ControlPlaneProvisioner::stop(const std::string& workspace_id) {
  PARITY_IMPL(workspace_stop, controlplane, "DELETE /cp/workspaces/{id} for the recorded instance; none recorded counts as stopped");
  if (host_.empty()) return unwired();
  auto instance = instanceOf(workspace_id);
  if (!instance) return instance.error();
  // Without a recorded instance (never provisioned, or an orphan whose row is gone) the
  // workspace-wide DELETE terminates whatever runs for it.
  const std::string target = instance->empty() ? "/cp/workspaces/" + encode(workspace_id)
                                               : instancePath(workspace_id, "", *instance);
  auto r = send("DELETE", target, "", false, kMaxResponseBytes, config_.timeout);
  if (!r) return r.error();
  if (r->status == 404) return {};  // already gone: stop is idempotent
  if (r->status < 200 || r->status >= 300)
    return makeError(Errc::backend_error, "deprovision failed " + describe(r->status, r->body));
  return {};
}

Liveness ControlPlaneProvisioner::isRunning(const std::string& workspace_id) {
  PARITY_IMPL(a2a_liveness, controlplane, "instance state from the control plane; alive when it is uncertain");
  if (host_.empty()) return {true, unwired()};
  auto instance = instanceOf(workspace_id);
  if (!instance) return {true, instance.error()};
  if (instance->empty()) return {false, std::nullopt};
  auto r = send("GET", instancePath(workspace_id, "/status", *instance), "", false, kMaxResponseBytes,
                config_.status_timeout);
  if (!r) return {true, r.error()};  // uncertain: alive
  if (r->status == 404) return {false, std::nullopt};
  if (r->status < 200 || r->status >= 300)
    return {true, makeError(Errc::backend_error, "status failed " + describe(r->status, r->body))};
  auto j = parseJsonOr(r->body, json());
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string())
    return {true, makeError(Errc::backend_error, "status answered malformed JSON")};
  return {j["state"] == "running", std::nullopt};
}

Result<std::string> ControlPlaneProvisioner::bootLog(const std::string& workspace_id) {
  PARITY_IMPL(boot_log, controlplane, "the instance serial console through the control plane");
  auto r = send("GET", "/cp/admin/workspaces/" + encode(workspace_id) + "/console", "", true, kMaxConsoleBytes,
                config_.status_timeout);
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no console for workspace " + workspace_id);
  if (r->status < 200 || r->status >= 300) return makeError(Errc::backend_error, "console failed " + describe(r->status, r->body));
  auto j = parseJsonOr(r->body, json());
  if (!j.is_object() || !j.contains("output") || !j["output"].is_string())
    return makeError(Errc::backend_error, "console answered malformed JSON");
  return j["output"].get<std::string>();
}

Result<ExecResult> ControlPlaneProvisioner::exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                                       const std::string& stdin_data) {
  PARITY_IMPL(exec_command, controlplane, "POST /cp/workspaces/{id}/exec");
  if (host_.empty()) return unwired();
  if (argv.empty()) return makeError(Errc::invalid_argument, "exec needs a command");
  auto instance = instanceOf(workspace_id);
  if (!instance) return instance.error();
  auto r = send("POST", instancePath(workspace_id, "/exec", *instance), json{{"argv", argv}, {"stdin", stdin_data}}.dump(),
                false, kMaxArchiveBytes, config_.timeout);
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no running instance for workspace " + workspace_id);
  if (r->status != 200) return makeError(Errc::backend_error, "exec failed " + describe(r->status, r->body));
  auto j = parseJsonOr(r->body, json());
  // value() throws on a field of the wrong type: check the types so malformed stays a value.
  if (!j.is_object() || !j.contains("exit_code") || !j["exit_code"].is_number_integer() ||
      (j.contains("output") && !j["output"].is_string()))
    return makeError(Errc::backend_error, "exec answered malformed JSON");
  return ExecResult{j["exit_code"].get<int>(), j.value("output", "")};
}

Result<std::string> ControlPlaneProvisioner::readArchive(const std::string& workspace_id, const std::string& path) {
  PARITY_IMPL(archive_transfer, controlplane, "GET /cp/workspaces/{id}/archive");
  if (host_.empty()) return unwired();
  auto instance = instanceOf(workspace_id);
  if (!instance) return instance.error();
  auto r = send("GET", instancePath(workspace_id, "/archive", *instance) + "&path=" + encode(path), "", false,
                kMaxArchiveBytes, config_.timeout);
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such path or workspace: " + path);
  if (r->status != 200) return makeError(Errc::backend_error, "archive read failed " + describe(r->status, r->body));
  return std::move(r->body);
}

Result<> ControlPlaneProvisioner::writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) {
  PARITY_IMPL(archive_transfer, controlplane, "PUT /cp/workspaces/{id}/archive");
  if (host_.empty()) return unwired();
  auto instance = instanceOf(workspace_id);
  if (!instance) return instance.error();
  auto r = send("PUT", instancePath(workspace_id, "/archive", *instance) + "&path=" + encode(path), tar, false,
                kMaxResponseBytes, config_.timeout, "application/x-tar");
  if (!r) return r.error();
  if (r->status == 404) return makeError(Errc::not_found, "no such directory or workspace: " + path);
  if (r->status < 200 || r->status >= 300) return makeError(Errc::backend_error, "archive write failed " + describe(r->status, r->body));
  return {};
}

namespace {

namespace websocket = beast::websocket;

// The control plane's terminal WebSocket (extension), driven by its own I/O thread; read() and
// write() are blocking calls for the runtime's terminal bridge.
class ControlPlaneTerminal final : public Terminal {
 public:
  ControlPlaneTerminal() : ws_(io_) {}
  ~ControlPlaneTerminal() override {
    close();
    if (thread_.joinable()) thread_.join();
  }

  Result<> connect(const std::string& host, const std::string& port, const std::string& target,
                   const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    net::ip::tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return makeError(Errc::backend_unavailable, "control plane host does not resolve: " + host);
    beast::get_lowest_layer(ws_).expires_after(timeout);
    beast::get_lowest_layer(ws_).connect(endpoints, ec);
    if (ec) return makeError(Errc::backend_unavailable, "control plane not reachable: " + ec.message());
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    websocket::response_type res;
    ws_.handshake(res, host, target, ec);
    if (ec) {
      if (res.result_int() == 404) return makeError(Errc::not_found, "no running instance to open a terminal on");
      return makeError(Errc::backend_error, "terminal handshake failed (" + std::to_string(res.result_int()) + ")");
    }
    beast::get_lowest_layer(ws_).expires_never();
    ws_.binary(true);
    readLoop();
    thread_ = std::thread([this] { io_.run(); });
    return {};
  }

  Result<std::string> read() override {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !inbox_.empty() || ended_; });
    if (inbox_.empty()) return std::string();
    std::string out = std::move(inbox_.front());
    inbox_.pop_front();
    return out;
  }

  Result<> write(std::string_view input) override {
    {
      std::lock_guard lock(mutex_);
      if (ended_) return makeError(Errc::backend_error, "terminal closed");
    }
    net::post(io_, [this, data = std::string(input)]() mutable {
      outbox_.push_back(std::move(data));
      if (outbox_.size() == 1) writeNext();
    });
    return {};
  }

  void close() override {
    {
      std::lock_guard lock(mutex_);
      ended_ = true;
    }
    ready_.notify_all();
    net::post(io_, [this] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(ws_).close();
    });
  }

 private:
  void readLoop() {
    ws_.async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
      {
        std::lock_guard lock(mutex_);
        if (ec) {
          ended_ = true;
        } else {
          inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        }
      }
      buffer_.consume(buffer_.size());
      ready_.notify_all();
      if (!ec) readLoop();
    });
  }

  void writeNext() {
    ws_.async_write(net::buffer(outbox_.front()), [this](boost::system::error_code ec, std::size_t) {
      outbox_.pop_front();
      if (!ec && !outbox_.empty()) writeNext();
    });
  }

  net::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // touched only on the I/O thread
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> inbox_;
  bool ended_ = false;
  std::thread thread_;
};

}  // namespace

Result<TerminalPtr> ControlPlaneProvisioner::openTerminal(const std::string& workspace_id) {
  PARITY_IMPL(terminal_session, controlplane, "control-plane terminal WebSocket onto a pty in the instance");
  if (host_.empty()) return unwired();
  auto instance = instanceOf(workspace_id);
  if (!instance) return instance.error();
  if (instance->empty()) return makeError(Errc::not_found, "workspace " + workspace_id + " has no instance");
  std::map<std::string, std::string> headers;
  if (!config_.shared_secret.empty()) headers["Authorization"] = "Bearer " + config_.shared_secret;
  if (!config_.admin_token.empty()) headers["X-Molecule-Admin-Token"] = config_.admin_token;
  auto term = std::make_shared<ControlPlaneTerminal>();
  if (auto ok = term->connect(host_, port_, base_path_ + instancePath(workspace_id, "/terminal", *instance), headers,
                              config_.status_timeout);
      !ok)
    return ok.error();
  return TerminalPtr(term);
}

Result<std::vector<std::string>> ControlPlaneProvisioner::listManaged() {
  PARITY_IMPL(orphan_sweep, controlplane, "lists the org's instances that are not terminated");
  auto r = send("GET", "/cp/workspaces?org_id=" + encode(config_.org_id), "", false, kMaxArchiveBytes, config_.status_timeout);
  if (!r) return r.error();
  if (r->status != 200) return makeError(Errc::backend_error, "instance listing failed " + describe(r->status, r->body));
  auto j = parseJsonOr(r->body, json());
  if (!j.is_object() || !j.contains("instances") || !j["instances"].is_array())
    return makeError(Errc::backend_error, "instance listing answered malformed JSON");
  std::vector<std::string> out;
  const auto text = [](const json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
  };
  for (const auto& i : j["instances"]) {
    // An entry without an id and a state is malformed (an empty id would match every workspace
    // as a prefix in the orphan sweep): reap nothing rather than guess.
    const std::string id = text(i, "workspace_id"), state = text(i, "state");
    if (id.empty() || state.empty()) return makeError(Errc::backend_error, "instance listing answered malformed JSON");
    if (state != "terminated") out.push_back(id);
  }
  return out;
}

Result<> ControlPlaneProvisioner::removeVolumes(const std::string&) {
  PARITY_IMPL(workspace_delete, controlplane, "nothing to remove: instance storage ends with the instance");
  if (host_.empty()) return unwired();
  return {};  // instances are stateless: their storage ends with the instance
}

}  // namespace ws::controlplane
