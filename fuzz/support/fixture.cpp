#include "fixture.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

#include "app/wiring.h"
#include "core/util.h"
#include "ws/config.h"
#include "ws/store.h"

namespace ws::fuzz {
namespace {

namespace fs = std::filesystem;

std::string makeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/ws-fuzz-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

std::string g_dir;  // removed at exit
void removeDir() {
  std::error_code ec;
  if (!g_dir.empty()) fs::remove_all(g_dir, ec);
}

// Everything main() wires, minus the listener and the sweeps.
struct Server {
  ServerConfig config;
  StorePtr store;
  std::unique_ptr<Wiring> wiring;
};

void seed(Store& store) {
  const std::string now = nowTime();
  Workspace root;
  root.id = kRootId;
  root.name = "root";
  root.role = "lead";
  root.status = Status::online;
  root.external = true;
  root.url = "http://127.0.0.1:9/";
  root.awareness_namespace = std::string("workspace:") + kRootId;
  root.created_at = root.updated_at = now;
  Workspace child = root;
  child.id = kChildId;
  child.name = "child";
  child.role = "worker";
  child.parent_id = root.id;
  child.awareness_namespace = std::string("workspace:") + kChildId;
  for (const auto& w : {root, child})
    if (!store.insertWorkspace(w, Event{0, "WORKSPACE_PROVISIONING", w.id, "{}", now}))
      throw std::runtime_error("cannot seed workspace " + w.id);
  ScheduleRecord s;
  s.id = kScheduleId;
  s.workspace_id = kRootId;
  s.name = "daily";
  s.cron_expr = "0 9 * * *";
  s.prompt = "report";
  s.created_at = s.updated_at = now;
  if (!store.putSchedule(s)) throw std::runtime_error("cannot seed schedule");
}

Server& server() {
  static Server* s = [] {
    spdlog::set_level(spdlog::level::off);
    auto* srv = new Server;  // never destroyed: background work may outlive the fuzzing loop
    g_dir = makeTempDir();
    std::atexit(removeDir);
    srv->config.db_path = g_dir + "/workspace.db";
    srv->config.environment = "development";  // loopback agents, the test-token route
    srv->config.admin_token = kAdminToken;
    srv->config.secrets_encryption_key = "0123456789abcdef0123456789abcdef";
    srv->config.platform_url = "http://127.0.0.1:8080";
    srv->config.org_templates_dir = g_dir + "/org";
    srv->config.plugins_dir = WS_SOURCE_DIR "/plugins";
    srv->config.backend = "none";
    fs::create_directories(srv->config.org_templates_dir);
    auto opened = openSqliteStore(srv->config.db_path);
    if (!opened) throw std::runtime_error("cannot open " + srv->config.db_path + ": " + opened.error().message);
    srv->store = std::move(*opened);
    srv->wiring = std::make_unique<Wiring>(srv->config, *srv->store, nullptr, nullptr);
    seed(*srv->store);
    return srv;
  }();
  return *s;
}

}  // namespace

Response Fixture::handle(Request& req, bool websocket_upgrade) {
  static const bool strict = [] {
    const char* v = std::getenv("WS_FUZZ_STRICT");
    return v && std::string(v) == "1";
  }();
  static const bool trace = [] {
    const char* v = std::getenv("WS_FUZZ_TRACE");
    return v && std::string(v) == "1";
  }();
  try {
    Response res = route(req, websocket_upgrade);
    if (trace)
      std::fprintf(stderr, "%s %s -> %d %.200s\n", req.method.c_str(), req.target.c_str(), res.status, res.body.c_str());
    return res;
  } catch (const std::exception& e) {
    if (strict) {
      std::fprintf(stderr, "unhandled exception from %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
      std::abort();
    }
    return Response::protocolError(500, "internal error");
  }
}

Response Fixture::route(Request& req, bool websocket_upgrade) {
  Server& s = server();
  if (websocket_upgrade) {
    auto opened = s.wiring->router.openTerminal(req);
    if (auto* term = std::get_if<std::shared_ptr<Terminal>>(&opened)) {
      (*term)->close();
      return Response::json(101, {});
    }
    return std::get<Response>(std::move(opened));
  }
  Response res = s.wiring->router.handle(req);
  // The server runs this on its worker pool; here it runs inline (connections are refused).
  if (res.deferred) res = res.deferred();
  return res;
}

std::size_t Fixture::bodyLimit() const { return server().config.body_limit; }

Fixture& fixture() {
  static Fixture f = [] {
    Server& s = server();
    return Fixture{g_dir, s.config.org_templates_dir};
  }();
  return f;
}

}  // namespace ws::fuzz
