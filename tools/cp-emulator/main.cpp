// cp-emulator: a faithful local emulator of the control-plane API the runtime's control-plane
// backend talks to (docs/control-plane-api.md). It is to that backend what a real Docker
// Engine is to the Docker backend. Everything stays on loopback.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <thread>

#include "core/json_input.h"
#include "core/util.h"
#include "instances.h"
#include "server/process.h"
#include "server/router.h"
#include "server/server.h"

namespace {

using nlohmann::json;
using ws::AuthPolicy;
using ws::Request;
using ws::Response;

struct Settings {
  std::string shared_secret;    // Bearer for /cp/workspaces/*
  std::string admin_token;      // X-Molecule-Admin-Token on every call
  std::string admin_api_token;  // Bearer for /cp/admin/*
};

// Both headers are checked; admin routes take the admin key.
class CpAuth final : public ws::Authenticator {
 public:
  explicit CpAuth(const Settings& s) : s_(s) {}
  std::optional<Response> check(AuthPolicy policy, const Request& req) override {
    if (policy == AuthPolicy::open) return std::nullopt;
    const std::string& want = policy == AuthPolicy::admin ? s_.admin_api_token : s_.shared_secret;
    if (!want.empty() && !ws::constantTimeEquals(req.bearer(), want)) return Response::protocolError(401, "invalid or missing bearer");
    if (!s_.admin_token.empty() && !ws::constantTimeEquals(req.header("x-molecule-admin-token").value_or(""), s_.admin_token))
      return Response::protocolError(401, "invalid or missing X-Molecule-Admin-Token");
    return std::nullopt;
  }

 private:
  const Settings& s_;
};

// Scripted failures for the next N calls of a route.
struct Fault {
  int status = 0;
  int latency_ms = 0;
  bool drop = false;
  bool malformed = false;
  int remaining = 1;
};

class Faults {
 public:
  void add(const std::string& route, Fault f) {
    std::lock_guard lock(mutex_);
    faults_[route].push_back(f);
  }
  void clear() {
    std::lock_guard lock(mutex_);
    faults_.clear();
  }
  /// Counts the call and hands out the route's next scripted fault, if any.
  std::optional<Fault> take(const std::string& route) {
    std::lock_guard lock(mutex_);
    ++calls_[route];
    auto it = faults_.find(route);
    if (it == faults_.end() || it->second.empty()) return std::nullopt;
    Fault f = it->second.front();
    if (--it->second.front().remaining <= 0) it->second.pop_front();
    return f;
  }
  /// Calls still to be faulted and calls served, per route: tests wait for a script to drain
  /// instead of sleeping.
  nlohmann::json state() {
    std::lock_guard lock(mutex_);
    nlohmann::json pending = nlohmann::json::object(), calls = nlohmann::json::object();
    for (const auto& [route, queue] : faults_) {
      int n = 0;
      for (const auto& f : queue) n += f.remaining;
      if (n > 0) pending[route] = n;
    }
    for (const auto& [route, n] : calls_) calls[route] = n;
    return {{"pending", pending}, {"calls", calls}};
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::deque<Fault>> faults_;
  std::map<std::string, long> calls_;
};

const std::vector<std::string> kRoutes{"provision", "deprovision", "status", "console", "exec", "archive", "list"};

// Applies a scripted fault, if any, around a route handler.
ws::Handler faulty(Faults& faults, std::string route, ws::Handler h) {
  return [&faults, route = std::move(route), h = std::move(h)](const Request& req) {
    auto f = faults.take(route);
    if (!f) return h(req);
    if (f->latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f->latency_ms));
    if (f->drop) {
      Response r;
      r.drop_connection = true;
      return r;
    }
    if (f->status > 0) return Response::protocolError(f->status, "injected fault");
    Response r = h(req);
    if (f->malformed) r.body = "{\"truncated\": ";
    return r;
  };
}

json instanceJson(const cpemu::Instance& i) {
  return {{"instance_id", i.instance_id}, {"workspace_id", i.workspace_id}, {"org_id", i.org_id},
          {"private_ip", i.private_ip},   {"state", i.state}};
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  ws::blockShutdownSignals();

  ws::ServerConfig server;
  server.bind_address = "127.0.0.1";
  server.port = 0;
  server.threads = 4;
  Settings s{env("MOLECULE_CP_SHARED_SECRET"), env("ADMIN_TOKEN"), env("CP_ADMIN_API_TOKEN")};
  std::string data_dir = "var/cp-emulator", agent, busybox = "/bin/busybox", user_data_path, rootfs_script;
  int boot_delay_ms = 100;
  CLI::App cli{"cp-emulator: a local control plane whose instances are chroot'ed process trees on loopback"};
  cli.add_option("--port", server.port, "Port (0 picks a free one)");
  cli.add_option("--port-file", server.port_file, "Write the bound port here once listening");
  cli.add_option("--shared-secret", s.shared_secret, "Bearer for /cp/workspaces/* (MOLECULE_CP_SHARED_SECRET)");
  cli.add_option("--admin-token", s.admin_token, "Expected X-Molecule-Admin-Token (ADMIN_TOKEN)");
  cli.add_option("--admin-api-token", s.admin_api_token, "Bearer for /cp/admin/* (CP_ADMIN_API_TOKEN)");
  cli.add_option("--data-dir", data_dir, "Where instance roots and consoles live")->capture_default_str();
  cli.add_option("--agent", agent, "The static workspace-agent binary")->required();
  cli.add_option("--busybox", busybox, "A static busybox")->capture_default_str();
  cli.add_option("--user-data", user_data_path, "Boot script run in every instance (a template's install.sh)");
  cli.add_option("--rootfs-script", rootfs_script, "tools/lib/make-rootfs.sh")->required();
  cli.add_option("--boot-delay-ms", boot_delay_ms, "Time an instance stays pending")->capture_default_str();
  cli.set_version_flag("--version", "cp-emulator " WS_VERSION);
  CLI11_PARSE(cli, argc, argv);
  if (s.admin_api_token.empty()) s.admin_api_token = s.shared_secret;
  if (geteuid() != 0) {
    spdlog::critical("cp-emulator needs root: each instance is a chroot");
    return 1;
  }
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ cp-emulator %^%l%$ %v", spdlog::pattern_time_type::utc);

  // The base root filesystem every instance copies.
  const std::filesystem::path data = std::filesystem::absolute(data_dir);
  std::filesystem::remove_all(data / "base");
  std::filesystem::create_directories(data);
  const std::string build_rootfs = rootfs_script + " '" + (data / "base").string() + "' '" + agent + "' '" + busybox + "'";
  if (std::system(build_rootfs.c_str()) != 0) {
    spdlog::critical("cannot build the instance root filesystem: {}", build_rootfs);
    return 1;
  }
  std::string user_data = "#!/bin/sh\nexec /usr/local/bin/workspace-agent\n";
  if (!user_data_path.empty()) {
    std::ifstream in(user_data_path);
    if (!in) {
      spdlog::critical("cannot read user-data {}", user_data_path);
      return 1;
    }
    user_data.assign(std::istreambuf_iterator<char>(in), {});
  }
  cpemu::InstanceManager instances(data, data / "base", user_data, std::chrono::milliseconds(boot_delay_ms));
  Faults faults;
  CpAuth auth(s);
  ws::Router router(auth);
  const auto W = AuthPolicy::workspace;

  router.add("GET", "/health", AuthPolicy::open, [](const Request&) { return Response::json(200, {{"status", "ok"}}); });
  router.add("POST", "/cp/workspaces/provision", W, faulty(faults, "provision", [&](const Request& req) {
    ws::JsonInput in(req.body);
    cpemu::ProvisionRequest r;
    r.org_id = in.string("org_id").value_or("");
    r.workspace_id = in.string("workspace_id").value_or("");
    r.runtime = in.string("runtime").value_or("");
    r.tier = static_cast<int>(in.integer("tier").value_or(2));
    r.platform_url = in.string("platform_url").value_or("");
    for (const char* key : {"env", "config_files"}) {
      auto obj = in.object(key);
      if (!obj) continue;
      for (const auto& [k, v] : obj->items()) {
        if (!v.is_string()) return Response::protocolError(400, std::string(key) + " values must be strings");
        (std::string(key) == "env" ? r.env : r.config_files)[k] = v.get<std::string>();
      }
    }
    if (in.error()) return Response::protocolError(400, *in.error());
    if (r.workspace_id.empty() || r.platform_url.empty()) return Response::protocolError(400, "workspace_id and platform_url are required");
    auto inst = instances.provision(r);
    if (!inst) return Response::fromError(inst.error());
    spdlog::info("provisioned {} for workspace {} at {}", inst->instance_id, r.workspace_id, inst->private_ip);
    return Response::json(201, {{"instance_id", inst->instance_id}, {"private_ip", inst->private_ip}, {"state", inst->state}});
  }));
  router.add("DELETE", "/cp/workspaces/:id", W, faulty(faults, "deprovision", [&](const Request& req) {
    auto gone = instances.terminate(req.param("id"), req.queryParam("instance_id").value_or(""));
    if (!gone) return Response::fromError(gone.error());
    return Response::json(200, {{"state", "terminated"}, {"terminated", gone->size()}});
  }));
  router.add("GET", "/cp/workspaces/:id/status", W, faulty(faults, "status", [&](const Request& req) {
    auto i = instances.find(req.param("id"), req.queryParam("instance_id").value_or(""));
    if (!i) return Response::fromError(i.error());
    return Response::json(200, {{"state", i->state}, {"private_ip", i->private_ip}});
  }));
  router.add("GET", "/cp/workspaces", W, faulty(faults, "list", [&](const Request& req) {
    json out = json::array();
    for (const auto& i : instances.list(req.queryParam("org_id").value_or(""))) out.push_back(instanceJson(i));
    return Response::json(200, {{"instances", out}});
  }));
  router.add("GET", "/cp/admin/workspaces/:id/console", AuthPolicy::admin, faulty(faults, "console", [&](const Request& req) {
    auto out = instances.console(req.param("id"));
    if (!out) return Response::fromError(out.error());
    return Response::json(200, {{"output", *out}});
  }));
  router.add("POST", "/cp/workspaces/:id/exec", W, faulty(faults, "exec", [&](const Request& req) {
    ws::JsonInput in(req.body);
    auto argv_json = in.body().value("argv", json::array());
    auto stdin_data = in.string("stdin").value_or("");
    if (in.error()) return Response::protocolError(400, *in.error());
    std::vector<std::string> cmd;
    for (const auto& a : argv_json) {
      if (!a.is_string()) return Response::protocolError(400, "argv must be an array of strings");
      cmd.push_back(a);
    }
    auto r = instances.exec(req.param("id"), req.queryParam("instance_id").value_or(""), cmd, stdin_data);
    if (!r) return Response::fromError(r.error());
    return Response::json(200, {{"exit_code", r->exit_code}, {"output", r->output}});
  }));
  router.add("GET", "/cp/workspaces/:id/archive", W, faulty(faults, "archive", [&](const Request& req) {
    auto tar = instances.readArchive(req.param("id"), req.queryParam("instance_id").value_or(""),
                                     req.queryParam("path").value_or(""));
    if (!tar) return Response::fromError(tar.error());
    Response r;
    r.content_type = "application/x-tar";
    r.body = std::move(*tar);
    return r;
  }));
  router.add("PUT", "/cp/workspaces/:id/archive", W, faulty(faults, "archive", [&](const Request& req) {
    auto ok = instances.writeArchive(req.param("id"), req.queryParam("instance_id").value_or(""),
                                     req.queryParam("path").value_or(""), req.body);
    if (!ok) return Response::fromError(ok.error());
    return Response::json(200, {{"status", "written"}});
  }));
  router.addTerminal("/cp/workspaces/:id/terminal", W, [&](const Request& req) -> std::variant<Response, std::shared_ptr<ws::Terminal>> {
    auto term = instances.openTerminal(req.param("id"), req.queryParam("instance_id").value_or(""));
    if (!term) return Response::fromError(term.error());
    return *term;
  });
  // A crash of an instance's processes (the instance stays, then reads stopped).
  router.add("POST", "/cp/admin/workspaces/:id/crash", AuthPolicy::admin, [&](const Request& req) {
    if (auto crashed = instances.crash(req.param("id")); !crashed) return Response::fromError(crashed.error());
    return Response::json(200, {{"status", "crashed"}});
  });
  // Fault injection, the emulator's own admin endpoint.
  router.add("POST", "/cp/admin/faults", AuthPolicy::admin, [&](const Request& req) {
    ws::JsonInput in(req.body);
    const auto route = in.string("route").value_or("");
    Fault f;
    f.status = static_cast<int>(in.integer("status").value_or(0));
    f.latency_ms = static_cast<int>(in.integer("latency_ms").value_or(0));
    f.drop = in.boolean("drop").value_or(false);
    f.malformed = in.boolean("malformed").value_or(false);
    f.remaining = static_cast<int>(in.integer("count").value_or(1));
    if (in.error()) return Response::protocolError(400, *in.error());
    if (std::find(kRoutes.begin(), kRoutes.end(), route) == kRoutes.end())
      return Response::protocolError(400, "route must be one of provision, deprovision, status, console, exec, archive, list");
    if (f.remaining < 1 || f.latency_ms < 0 || f.latency_ms > 600000 || (f.status != 0 && (f.status < 100 || f.status > 599)))
      return Response::protocolError(400, "count >= 1, latency_ms in [0, 600000], status in [100, 599]");
    faults.add(route, f);
    return Response::json(200, {{"status", "armed"}, {"route", route}, {"count", f.remaining}});
  });
  router.add("GET", "/cp/admin/faults", AuthPolicy::admin,
             [&](const Request&) { return Response::json(200, faults.state()); });
  router.add("DELETE", "/cp/admin/faults", AuthPolicy::admin, [&](const Request&) {
    faults.clear();
    return Response::json(200, {{"status", "cleared"}});
  });

  ws::HttpServer http(server, [&router](Request& req) { return router.handle(req); },
                      [&router](Request& req) { return router.openTerminal(req); });
  auto port = http.start();
  if (!port) {
    spdlog::critical("{}", port.error().message);
    return 1;
  }
  if (!server.port_file.empty()) ws::writePortFile(server.port_file, *port);
  spdlog::info("listening on 127.0.0.1:{} (data {})", *port, data.string());
  ws::waitForShutdownSignal();
  http.stop(std::chrono::seconds(5));
  spdlog::info("stopping; terminating instances");
  return 0;
}
