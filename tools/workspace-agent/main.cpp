// workspace-agent: the reference agent that runs inside every workspace. It reads its config
// and token from /configs, registers with the platform, heartbeats, and answers A2A JSON-RPC
// `message/send` by echoing the text back. A message that starts with `/chat_history <peer_id>`
// is answered instead with the platform's MCP tool chat_history, called with the agent's own
// token: proof that a workload reaches the MCP bridge. After the first execute it smoke-checks
// its runtime and reports a wedge in its heartbeats (smoke_gate.h). SIGTERM stops it cleanly.
//
// Built fully static so that an image needs nothing but this file (tools/make-agent-image).

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "smoke_gate.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

struct Settings {
  std::string workspace_id;
  std::string platform_url;
  std::string config_dir = "/configs";
  std::string token_file;  // default <config_dir>/.auth_token
  std::string host = "0.0.0.0";
  unsigned short port = 8000;
  std::string url;  // how the platform reaches us
  int heartbeat_ms = 10000;
};

void log(const std::string& line) {
  std::cout << "[workspace-agent] " << line << std::endl;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

struct Url {
  std::string host;
  std::string port;
  std::string base_path;
};

std::optional<Url> parseUrl(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = url.substr(prefix.size());
  Url u;
  const auto slash = rest.find('/');
  u.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  if (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  u.host = colon == std::string::npos ? rest : rest.substr(0, colon);
  u.port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  return u;
}

class Agent {
 public:
  Agent(net::io_context& io, Settings s) : io_(io), s_(std::move(s)), started_(std::chrono::steady_clock::now()) {}

  bool loadConfig() {
    const std::string path = s_.config_dir + "/config.yaml";
    try {
      YAML::Node c = YAML::LoadFile(path);
      name_ = c["name"] ? c["name"].as<std::string>() : s_.workspace_id;
      description_ = c["description"] ? c["description"].as<std::string>() : "";
      runtime_ = c["runtime"] ? c["runtime"].as<std::string>() : "";
      model_ = c["model"] ? c["model"].as<std::string>() : "";
    } catch (const std::exception& e) {
      log("no usable " + path + " (" + e.what() + "); using defaults");
      name_ = s_.workspace_id;
    }
    token_ = readFile(s_.token_file);
    log("config: name=" + name_ + " runtime=" + runtime_ + " token=" + (token_.empty() ? "none" : "present"));
    return true;
  }

  json card() const {
    return {{"name", name_},
            {"description", description_},
            {"url", s_.url},
            {"version", "1.0.0"},
            {"runtime", runtime_},
            {"model", model_},
            {"capabilities", {{"streaming", false}}},
            {"skills", {{{"id", "echo"}, {"name", "Echo"}, {"description", "Repeats the text it receives"}}}}};
  }

  net::awaitable<void> serve(tcp::acceptor& acceptor) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kTuple);
      if (ec) co_return;
      net::co_spawn(io_, session(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> platformLoop() {
    net::steady_timer timer(io_);
    // Register until the platform accepts us (retrying quickly at first, backing off to 5 s),
    // then heartbeat.
    auto retry = std::chrono::milliseconds(100);
    for (;;) {
      // (named, not braced in the co_await: g++ 12 miscompiles braced temporaries there)
      const json registration{{"id", s_.workspace_id}, {"url", s_.url}, {"agent_card", card()}};
      auto r = co_await post("/registry/register", registration);
      if (r && r->first == 200) {
        auto body = json::parse(r->second, nullptr, false);
        if (body.is_object() && body.contains("auth_token")) {
          token_ = body["auth_token"];
          std::ofstream(s_.token_file) << token_;  // best effort; /configs may be read-only
        }
        log("registered with " + s_.platform_url);
        break;
      }
      log("register failed (" + (r ? std::to_string(r->first) + " " + r->second : std::string("unreachable")) +
          "); retrying");
      timer.expires_after(retry);
      co_await timer.async_wait(kTuple);
      retry = std::min<std::chrono::milliseconds>(retry * 2, std::chrono::seconds(5));
    }
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(s_.heartbeat_ms));
      auto [ec] = co_await timer.async_wait(kTuple);
      if (ec) co_return;
      co_await heartbeat();
    }
  }

  net::awaitable<void> heartbeat() {
    smoke_.beforeHeartbeat();
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_);
    json beat{{"workspace_id", s_.workspace_id}, {"error_rate", 0.0}, {"active_tasks", 0}, {"uptime_seconds", uptime.count()}};
    smoke_.annotate(beat);
    auto r = co_await post("/registry/heartbeat", beat);
    if (!r || r->first != 200) log("heartbeat failed" + (r ? ": " + std::to_string(r->first) : std::string()));
  }

 private:
  net::awaitable<std::optional<std::pair<int, std::string>>> post(const std::string& path, const json& body) {
    auto url = parseUrl(s_.platform_url);
    if (!url) co_return std::nullopt;
    tcp::resolver resolver(io_);
    auto [rec, results] = co_await resolver.async_resolve(url->host, url->port, kTuple);
    if (rec) co_return std::nullopt;
    beast::tcp_stream stream(io_);
    stream.expires_after(std::chrono::seconds(10));
    auto [cec, ep] = co_await stream.async_connect(results, kTuple);
    if (cec) co_return std::nullopt;
    http::request<http::string_body> req{http::verb::post, url->base_path + path, 11};
    req.set(http::field::host, url->host);
    req.set(http::field::content_type, "application/json");
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    req.body() = body.dump();
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
    if (wec) co_return std::nullopt;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    auto [hec, hn] = co_await http::async_read(stream, buffer, res, kTuple);
    if (hec) co_return std::nullopt;
    co_return std::make_pair(static_cast<int>(res.result_int()), res.body());
  }

  // The platform's MCP tool `name` with `arguments`, as this workspace: the tool's text, or why
  // it failed.
  net::awaitable<std::string> mcpTool(const std::string& name, const json& arguments) {
    const json call{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", name}, {"arguments", arguments}}}};
    const std::string path = "/workspaces/" + s_.workspace_id + "/mcp";
    auto r = co_await post(path, call);
    if (!r) co_return name + " failed: the platform is unreachable";
    const json answer = json::parse(r->second, nullptr, false);
    if (r->first != 200 || !answer.is_object()) co_return name + " failed: HTTP " + std::to_string(r->first) + " " + r->second;
    if (answer.contains("error")) {
      const json& e = answer["error"];
      const bool has_message = e.is_object() && e.contains("message") && e["message"].is_string();
      co_return name + " failed: " + (has_message ? e["message"].get<std::string>() : e.dump());
    }
    try {
      const json& result = answer.at("result");
      const std::string text = result.at("content").at(0).at("text");
      co_return result.value("isError", false) ? name + " failed: " + text : text;
    } catch (const std::exception&) {
      co_return name + " failed: unexpected answer " + r->second;
    }
  }

  // What the agent says to `text` from `sender` (the proxy's envelope peer_id; empty for the
  // canvas, which holds this workspace's own credentials): a command's outcome, or the echo.
  net::awaitable<std::string> respond(const std::string& text, const std::string& sender) {
    const std::string command = "/chat_history";
    if (text.rfind(command, 0) != 0) co_return "echo: " + text;
    std::istringstream args(text.substr(command.size()));
    std::string peer;
    args >> peer;
    if (peer.empty()) co_return "usage: /chat_history <peer_id>";
    // A peer may read only its own conversation with this agent, never this agent's with a third.
    if (!sender.empty() && sender != peer) co_return "chat_history refused: a peer may ask only about itself";
    const std::string tool = "chat_history";  // named, as the arguments: see platformLoop
    const json arguments{{"peer_id", peer}};
    co_return co_await mcpTool(tool, arguments);
  }

  net::awaitable<json> rpc(const json& req) {
    const json id = req.contains("id") ? req["id"] : json(nullptr);
    const auto error = [&](int code, const std::string& msg) {
      return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", msg}}}};
    };
    if (!req.is_object() || !req.contains("jsonrpc") || req["jsonrpc"] != "2.0" || !req.contains("method"))
      co_return error(-32600, "invalid request");
    if (req["method"] != "message/send") co_return error(-32601, "method not found");
    std::string text;
    try {
      for (const auto& part : req.at("params").at("message").at("parts"))
        if (part.value("kind", part.value("type", "")) == "text") text += part.value("text", "");
    } catch (const std::exception&) {
      co_return error(-32602, "params.message.parts is required");
    }
    const json& metadata = req["params"]["message"].contains("metadata") ? req["params"]["message"]["metadata"] : json();
    const std::string sender = metadata.is_object() && metadata.contains("peer_id") && metadata["peer_id"].is_string()
                                   ? metadata["peer_id"].get<std::string>()
                                   : "";
    const std::string reply = co_await respond(text, sender);
    static std::mt19937_64 rng{std::random_device{}()};
    char message_id[32];
    std::snprintf(message_id, sizeof message_id, "%016llx", static_cast<unsigned long long>(rng()));
    json result{{"kind", "message"}, {"role", "agent"}, {"messageId", message_id},
                {"parts", {{{"kind", "text"}, {"text", reply}}}}};
    // Who the platform says sent it (the A2A proxy's envelope), echoed back as well.
    const json& message = req["params"]["message"];
    if (message.contains("metadata") && message["metadata"].is_object()) result["metadata"] = message["metadata"];
    smoke_.executed();
    co_return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}};
  }

  net::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      stream.expires_after(std::chrono::seconds(60));
      http::request_parser<http::string_body> parser;
      parser.body_limit(1 << 20);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec) break;
      auto& req = parser.get();
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/json");
      const std::string target(req.target());
      if (req.method() == http::verb::get && target == "/health") {
        res.body() = json{{"status", "ok"}, {"workspace_id", s_.workspace_id}}.dump();
      } else if (req.method() == http::verb::get && target == "/.well-known/agent.json") {
        res.body() = card().dump();
      } else if (req.method() == http::verb::post && (target == "/" || target == "/a2a")) {
        const json body = json::parse(req.body(), nullptr, false);
        const json parse_error{{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "parse error"}}}};
        json answer = parse_error;
        if (!body.is_discarded()) answer = co_await rpc(body);
        res.body() = answer.dump();
      } else {
        res.result(http::status::not_found);
        res.body() = json{{"error", "not found"}}.dump();
      }
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      if (wec || !req.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  net::io_context& io_;
  Settings s_;
  std::chrono::steady_clock::time_point started_;
  std::string name_, description_, runtime_, model_, token_;
  // Checks the runtime after the first execute; a change of its state is reported at once.
  agent::SmokeGate smoke_{io_, [](const std::string& text) { return "echo: " + text; },
                          [this] { net::co_spawn(io_, heartbeat(), net::detached); }, agent::SmokeGate::Options::fromEnv()};
};

std::string env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  s.workspace_id = env("WORKSPACE_ID");
  s.platform_url = env("PLATFORM_URL");
  s.config_dir = env("WORKSPACE_CONFIG_PATH", s.config_dir);
  s.host = env("AGENT_HOST", s.host);
  s.port = static_cast<unsigned short>(std::stoi(env("AGENT_PORT", "8000")));
  s.heartbeat_ms = std::stoi(env("HEARTBEAT_INTERVAL_MS", "10000"));
  s.url = env("AGENT_URL");
  CLI::App cli{"workspace-agent: registers with the platform, heartbeats and echoes A2A messages"};
  cli.add_option("--workspace-id", s.workspace_id, "Workspace id (WORKSPACE_ID)");
  cli.add_option("--platform-url", s.platform_url, "Platform base URL (PLATFORM_URL)");
  cli.add_option("--config-dir", s.config_dir, "Directory with config.yaml and .auth_token (WORKSPACE_CONFIG_PATH)");
  cli.add_option("--token-file", s.token_file, "Token file (default <config-dir>/.auth_token)");
  cli.add_option("--host", s.host, "Address to listen on (AGENT_HOST)");
  cli.add_option("--port", s.port, "Port to listen on (AGENT_PORT)");
  cli.add_option("--url", s.url, "URL the platform uses to reach this agent (AGENT_URL)");
  cli.add_option("--heartbeat-ms", s.heartbeat_ms, "Heartbeat interval (HEARTBEAT_INTERVAL_MS)");
  cli.set_version_flag("--version", "workspace-agent " WS_VERSION);
  CLI11_PARSE(cli, argc, argv);
  if (s.workspace_id.empty() || s.platform_url.empty()) {
    std::cerr << "workspace-agent: WORKSPACE_ID and PLATFORM_URL are required\n";
    return 2;
  }
  if (s.token_file.empty()) s.token_file = s.config_dir + "/.auth_token";
  if (s.url.empty()) s.url = "http://127.0.0.1:" + std::to_string(s.port);

  net::io_context io(1);
  Agent agent(io, s);
  agent.loadConfig();
  boost::system::error_code ec;
  tcp::acceptor acceptor(io);
  const tcp::endpoint ep(net::ip::make_address(s.host, ec), s.port);
  if (ec) {
    std::cerr << "workspace-agent: bad listen address " << s.host << "\n";
    return 2;
  }
  acceptor.open(ep.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(ep, ec);
  if (ec) {
    std::cerr << "workspace-agent: cannot listen on " << s.host << ":" << s.port << ": " << ec.message() << "\n";
    return 1;
  }
  acceptor.listen();
  log("listening on " + s.host + ":" + std::to_string(s.port) + " as workspace " + s.workspace_id);
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    log(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
    io.stop();
  });
  net::co_spawn(io, agent.serve(acceptor), net::detached);
  net::co_spawn(io, agent.platformLoop(), net::detached);
  io.run();
  log("stopped");
  return 0;
}
