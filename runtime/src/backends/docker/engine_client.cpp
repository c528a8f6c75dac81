#include "backends/docker/engine_client.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "core/json.h"

namespace ws::docker {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using UnixStream = beast::basic_stream<net::local::stream_protocol, net::any_io_executor, beast::unlimited_rate_policy>;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
// What one answer may bring into memory: archives (file reads) and exec output.
constexpr std::size_t kMaxBody = 64u << 20;

// Runs `body` to completion on a private io_context; deadlines live on the stream itself.
template <class T, class Body>
Result<T> runLocal(Body body) {
  net::io_context io;
  std::optional<Result<T>> out;
  net::co_spawn(io, body(io), [&](std::exception_ptr e, Result<T> r) {
    if (e) {
      out = makeError(Errc::internal, "docker client: unexpected exception");
    } else {
      out = std::move(r);
    }
  });
  io.run();
  return std::move(*out);
}

Error transportError(const std::string& socket, const boost::system::error_code& ec, const char* what) {
  if (ec == beast::error::timeout)
    return makeError(Errc::timeout, std::string("docker engine at ") + socket + " did not answer in time (" + what + ")");
  return makeError(Errc::backend_unavailable,
                   std::string("docker engine at ") + socket + " is not reachable (" + what + ": " + ec.message() + ")");
}

}  // namespace

std::string EngineResponse::message() const {
  auto j = parseJsonOr(body, nlohmann::json());
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"];
  return body.size() > 512 ? body.substr(0, 512) : body;
}

Result<std::shared_ptr<EngineClient>> EngineClient::connect(const std::string& docker_host,
                                                           std::chrono::milliseconds timeout) {
  std::string path = docker_host.empty() ? "unix:///var/run/docker.sock" : docker_host;
  constexpr std::string_view kUnix = "unix://";
  if (path.rfind(kUnix, 0) == 0) {
    path = path.substr(kUnix.size());
  } else if (path.find("://") != std::string::npos) {
    return makeError(Errc::invalid_argument, "only unix:// DOCKER_HOST values are supported: " + docker_host);
  }
  std::shared_ptr<EngineClient> client(new EngineClient(path, timeout));
  auto version = client->rawRequest("GET", "/version", "", "", timeout);
  if (!version) return version.error();
  if (version->status != 200)
    return makeError(Errc::backend_error, "docker engine /version answered " + std::to_string(version->status));
  auto j = parseJsonOr(version->body, nlohmann::json());
  const std::string engine = j.is_object() ? j.value("ApiVersion", "") : "";
  if (engine.empty()) return makeError(Errc::backend_error, "docker engine did not report its API version");
  // Versions are "1.NN": compare the minor numbers.
  const auto minor = [](const std::string& v) { return std::stoi(v.substr(v.find('.') + 1)); };
  client->api_version_ = minor(engine) < minor(kMaxApiVersion) ? engine : kMaxApiVersion;
  return client;
}

Result<EngineResponse> EngineClient::request(const std::string& method, const std::string& path,
                                             const std::string& body, const std::string& content_type,
                                             std::chrono::milliseconds timeout) const {
  return rawRequest(method, "/v" + api_version_ + path, body, content_type, timeout.count() ? timeout : timeout_);
}

Result<EngineResponse> EngineClient::rawRequest(const std::string& method, const std::string& target,
                                                const std::string& body, const std::string& content_type,
                                                std::chrono::milliseconds timeout) const {
  return runLocal<EngineResponse>([&](net::io_context& io) -> net::awaitable<Result<EngineResponse>> {
    UnixStream stream(io);
    stream.expires_after(timeout);
    auto [cec] = co_await stream.async_connect(net::local::stream_protocol::endpoint(socket_path_), kTuple);
    if (cec) co_return transportError(socket_path_, cec, "connect");
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "docker");
    if (!body.empty()) req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
    if (wec) co_return transportError(socket_path_, wec, "write");
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (rec) co_return transportError(socket_path_, rec, "read");
    auto& res = parser.get();
    co_return EngineResponse{static_cast<int>(res.result_int()), std::move(res.body()),
                             std::string(res[http::field::content_type])};
  });
}

int EngineClient::hostCpus() const {
  if (const int known = host_cpus_.load()) return known;
  auto info = call("GET", "/info");
  const int cpus = info && info->is_object() ? std::max(info->value("NCPU", 1), 1) : 1;
  host_cpus_.store(cpus);
  return cpus;
}

Result<nlohmann::json> EngineClient::call(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) const {
  auto res = request(method, path, body.is_null() ? "" : body.dump());
  if (!res) return res.error();
  if (res->status == 404) return makeError(Errc::not_found, "docker: " + res->message());
  if (res->status == 409) return makeError(Errc::conflict, "docker: " + res->message());
  if (res->status < 200 || res->status >= 300)
    return makeError(Errc::backend_error, "docker " + method + " " + path.substr(0, path.find('?')) + " (" +
                                              std::to_string(res->status) + "): " + res->message());
  using Out = Result<nlohmann::json>;  // json converts to anything: construct the value explicitly
  if (res->body.empty()) return Out(boost::system::in_place_value, nullptr);
  auto j = parseJson(res->body);
  if (!j) return makeError(Errc::backend_error, "docker answered unreadable JSON for " + path + ": " + j.error().message);
  return j;
}

Result<StreamOutput> EngineClient::startExec(const std::string& exec_id, const std::string& stdin_data, bool tty,
                                             std::chrono::milliseconds timeout) const {
  const std::string target = "/v" + api_version_ + "/exec/" + exec_id + "/start";
  return runLocal<StreamOutput>([&](net::io_context& io) -> net::awaitable<Result<StreamOutput>> {
    UnixStream stream(io);
    stream.expires_after(timeout);
    auto [cec] = co_await stream.async_connect(net::local::stream_protocol::endpoint(socket_path_), kTuple);
    if (cec) co_return transportError(socket_path_, cec, "connect");
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "docker");
    req.set(http::field::content_type, "application/json");
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "tcp");
    req.body() = nlohmann::json{{"Detach", false}, {"Tty", tty}}.dump();
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, kTuple);
    if (wec) co_return transportError(socket_path_, wec, "write");
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (hec) co_return transportError(socket_path_, hec, "exec start");
    const int status = static_cast<int>(parser.get().result_int());
    if (status != 101 && status != 200)
      co_return makeError(Errc::backend_error, "docker exec start answered " + std::to_string(status));
    // The connection now carries the raw stream; bytes already buffered belong to it.
    std::string raw(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (!stdin_data.empty()) {
      auto [sec, sn] = co_await net::async_write(stream, net::buffer(stdin_data), kTuple);
      if (sec) co_return transportError(socket_path_, sec, "exec stdin");
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(net::socket_base::shutdown_send, ignored);  // EOF on the process's stdin
    char chunk[16384];
    for (;;) {
      auto [rec, n] = co_await stream.async_read_some(net::buffer(chunk), kTuple);
      raw.append(chunk, n);
      if (raw.size() > kMaxBody)
        co_return makeError(Errc::too_large, "exec output larger than " + std::to_string(kMaxBody >> 20) + " MiB");
      if (rec == net::error::eof) break;
      if (rec) co_return transportError(socket_path_, rec, "exec output");
    }
    if (tty) co_return StreamOutput{raw, {}, raw};
    co_return demultiplex(raw);
  });
}

EngineClient::RawStream::~RawStream() {
  if (fd_ < 0) return;
  shutdown();
  ::close(fd_);
}

void EngineClient::RawStream::shutdown() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

Result<std::string> EngineClient::RawStream::read() {
  if (!leftover_.empty()) return std::exchange(leftover_, {});
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) return makeError(Errc::backend_error, "terminal read failed");
  return std::string(buf, static_cast<std::size_t>(n));
}

Result<> EngineClient::RawStream::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return makeError(Errc::backend_error, "terminal write failed");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::unique_ptr<EngineClient::RawStream>> EngineClient::startInteractiveExec(const std::string& exec_id) const {
  // Plain blocking sockets: the session lives on its own threads, for as long as the user types.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(Errc::internal, "socket failed");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
  timeval tv{static_cast<time_t>(timeout_.count() / 1000), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return makeError(Errc::backend_unavailable, "docker engine at " + socket_path_ + " is not reachable");
  }
  auto stream = std::make_unique<RawStream>(fd, "");
  const std::string body = nlohmann::json{{"Detach", false}, {"Tty", true}}.dump();
  const std::string request = "POST /v" + api_version_ + "/exec/" + exec_id + "/start HTTP/1.1\r\nHost: docker\r\n"
                              "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (auto w = stream->write(request); !w) return w.error();
  // Read the response head; whatever follows it already belongs to the shell.
  timeval rtv{static_cast<time_t>(timeout_.count() / 1000), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rtv, sizeof rtv);
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    auto chunk = stream->read();
    if (!chunk || chunk->empty()) return makeError(Errc::backend_error, "docker exec start: no response");
    head += *chunk;
    if (head.size() > 65536) return makeError(Errc::backend_error, "docker exec start: oversized response head");
  }
  timeval none{0, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);  // interactive from now on
  const auto end = head.find("\r\n\r\n") + 4;
  const bool upgraded = head.rfind("HTTP/1.1 101", 0) == 0 || head.rfind("HTTP/1.1 200", 0) == 0;
  if (!upgraded) return makeError(Errc::backend_error, "docker exec start answered " + head.substr(0, head.find("\r\n")));
  return std::make_unique<RawStream>(stream->release(), head.substr(end));
}

StreamOutput EngineClient::demultiplex(std::string_view raw) {
  StreamOutput out;
  std::size_t i = 0;
  while (i + 8 <= raw.size()) {
    const auto type = static_cast<unsigned char>(raw[i]);
    const std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(raw[i + 4])) << 24) |
                            (static_cast<std::size_t>(static_cast<unsigned char>(raw[i + 5])) << 16) |
                            (static_cast<std::size_t>(static_cast<unsigned char>(raw[i + 6])) << 8) |
                            static_cast<std::size_t>(static_cast<unsigned char>(raw[i + 7]));
    const auto payload = raw.substr(i + 8, len);
    (type == 2 ? out.err : out.out).append(payload);
    out.combined.append(payload);
    i += 8 + len;
  }
  return out;
}

}  // namespace ws::docker
