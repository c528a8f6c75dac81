#include "server/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "core/feed.h"
#include "core/http_client.h"
#include "core/http_wire.h"
#include "core/io_deadline.h"
#include "core/json.h"
#include "core/util.h"
#include "server/access_log.h"
#include "server/browser_policy.h"
#include "server/feed_sessions.h"

namespace ws {
namespace {

// A session that throws ends that connection only, never the I/O thread.
void logEscapedException(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("connection ended by an unexpected exception: {}", ex.what());
  } catch (...) {
    spdlog::error("connection ended by an unexpected exception");
  }
}

}  // namespace

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace net::experimental::awaitable_operators;

namespace {

constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);
using ReusePort = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
using Steady = std::chrono::steady_clock;

// What is known of a request once its head is read: enough to log and answer it, whatever
// happens to its body.
Request requestHead(const http::request<http::string_body>& msg, const std::string& remote) {
  Request req;
  req.method = std::string(msg.method_string());
  req.remote_address = remote;
  for (const auto& field : msg) {
    std::string name(field.name_string());
    toLowerAscii(name);
    req.headers.insert_or_assign(std::move(name), std::string(field.value()));
  }
  req.request_id = requestIdFor(req.header("x-request-id"));
  return req;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const ServerConfig& c, RequestHandler h, TerminalHandler t, BodyLimits b)
      : config(c), browser(c), handler(std::move(h)), terminals(std::move(t)), body_limits(std::move(b)) {}

  // Output of the terminal, produced by a blocking reader thread, consumed by a coroutine.
  // Bounded: a client that does not read stalls the reader, not the server's memory.
  struct Outbox {
    static constexpr std::size_t kMaxPending = 1 << 20;
    explicit Outbox(net::any_io_executor ex) : wake(ex, std::chrono::steady_clock::time_point::max()) {}
    std::deque<std::string> chunks;
    bool ended = false;
    net::steady_timer wake;
    std::mutex mutex;
    std::condition_variable room;
    std::size_t pending = 0;  ///< Bytes read but not yet written to the client.
    bool closing = false;

    // Reader side: waits for room, then counts `n` more bytes. False once the bridge closes.
    bool reserve(std::size_t n) {
      std::unique_lock lock(mutex);
      room.wait(lock, [&] { return pending < kMaxPending || closing; });
      pending += n;
      return !closing;
    }
    void release(std::size_t n) {
      {
        std::lock_guard lock(mutex);
        pending -= std::min(pending, n);
      }
      room.notify_one();
    }
    void close() {
      {
        std::lock_guard lock(mutex);
        closing = true;
      }
      room.notify_all();
    }
  };
  static constexpr std::size_t kMaxTerminalFrame = 64 * 1024;

  // Bridges a WebSocket to a Terminal until either side ends.
  net::awaitable<void> bridge(websocket::stream<beast::tcp_stream>& ws, std::shared_ptr<Terminal> term) {
    auto ex = co_await net::this_coro::executor;
    auto outbox = std::make_shared<Outbox>(ex);
    // However this frame ends: the shell is closed and its reader joined.
    struct Reader {
      std::shared_ptr<Terminal> term;
      std::shared_ptr<Outbox> outbox;
      std::thread thread;
      ~Reader() {
        outbox->close();
        term->close();
        if (thread.joinable()) thread.join();  // read() returns once the terminal is closed
      }
    } reader{term, outbox, {}};
    Ender ender(*this, [term, outbox] {
      outbox->close();
      term->close();
    });
    reader.thread = std::thread([term, outbox, ex] {
      for (;;) {
        auto r = term->read();
        std::string chunk = r ? std::move(*r) : std::string();
        const bool end = chunk.empty() || !outbox->reserve(chunk.size());
        net::post(ex, [outbox, chunk = std::move(chunk), end]() mutable {
          if (end) outbox->ended = true;
          else outbox->chunks.push_back(std::move(chunk));
          outbox->wake.cancel();
        });
        if (end) return;
      }
    });
    auto toClient = [&]() -> net::awaitable<void> {
      for (;;) {
        while (!outbox->chunks.empty()) {
          std::string chunk = std::move(outbox->chunks.front());
          outbox->chunks.pop_front();
          auto [ec, n] = co_await ws.async_write(net::buffer(chunk), kUseTuple);
          outbox->release(chunk.size());
          if (ec) co_return;
        }
        if (outbox->ended) co_return;
        outbox->wake.expires_at(std::chrono::steady_clock::time_point::max());
        co_await outbox->wake.async_wait(kUseTuple);
      }
    };
    auto toShell = [&]() -> net::awaitable<void> {
      beast::flat_buffer buffer;
      for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, kUseTuple);
        if (ec) co_return;
        const auto data = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        if (!term->write(data)) co_return;
      }
    };
    co_await (toClient() || toShell());
    boost::system::error_code ignored;
    ws.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  /// What the route of a request head admits, never less than the server's own limit.
  template <class Header>
  BodyAdmission admitBody(const Header& head, boost::optional<std::uint64_t> length) const {
    BodyAdmission out{config.body_limit, std::nullopt};
    if (!body_limits.admit || body_limits.largest <= config.body_limit) return out;
    // A body the server's own limit covers needs no route's leave (nor its caller's).
    if (length && *length <= config.body_limit) return out;
    Request req;
    req.method = std::string(head.method_string());
    for (const auto& field : head) {
      std::string name(field.name_string());
      toLowerAscii(name);
      req.headers.insert_or_assign(std::move(name), std::string(field.value()));
    }
    if (!parseRequestTarget(head.target(), req)) return out;
    auto admitted = body_limits.admit(req);
    out.limit = std::max(out.limit, admitted.limit);
    out.refusal = std::move(admitted.refusal);
    return out;
  }

  net::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    const std::string remote = stream.socket().remote_endpoint(ec).address().to_string();
    // The client's time to send a request and to take its answer; the stream's own timer is
    // left for the rare paths (errors, live streams).
    IoDeadline deadline(stream.socket());

    for (;;) {
      http::request_parser<http::string_body> parser;
      // Beast checks a Content-Length against the limit as the header ends, before the route is
      // known: admit the largest any route takes, then hold the request to its route's own.
      parser.body_limit(std::max(config.body_limit, body_limits.largest));
      parser.header_limit(64 * 1024);
      deadline.expiresAfter(config.io_timeout);
      auto [read_ec, header_bytes] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
      const auto since = Steady::now();
      if (read_ec == http::error::body_limit) {
        Request head = requestHead(parser.get(), remote);
        (void)parseRequestTarget(parser.get().target(), head);
        co_await writeError(stream, 413, "request body too large", 11, head.request_id);
        answered(head, 413, since);
        break;
      }
      if (read_ec) break;  // closed, timed out or malformed: nothing sensible to answer
      const auto admitted = admitBody(parser.get(), parser.content_length());
      if (parser.content_length() && *parser.content_length() > admitted.limit) {
        // Past what this caller may send: a refused caller learns why, not only how much. (Named
        // locals only in the co_await: g++ 12 destroys temporaries there twice.)
        int status = 413;
        std::string why = "request body too large";
        if (admitted.refusal) {
          status = admitted.refusal->status;
          const auto parsed = parseJsonOr(admitted.refusal->body, nlohmann::json());
          why = parsed.is_object() ? parsed.value("error", "refused") : "refused";
        }
        Request head = requestHead(parser.get(), remote);
        (void)parseRequestTarget(parser.get().target(), head);
        const unsigned version = parser.get().version();
        co_await writeError(stream, status, why, version, head.request_id);
        answered(head, status, since);
        break;
      }
      parser.body_limit(admitted.limit);  // a chunked body is counted as it comes
      // An upload route gets the time to receive it too: at least 1 MiB a second.
      if (admitted.limit > config.body_limit)
        deadline.expiresAfter(config.io_timeout + std::chrono::seconds(admitted.limit >> 20));
      if (parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> cont{http::status::continue_, parser.get().version()};
        auto [cont_ec, n] = co_await http::async_write(stream, cont, kUseTuple);
        if (cont_ec) break;
      }
      auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      if (body_ec == http::error::body_limit) {
        Request head = requestHead(parser.get(), remote);
        (void)parseRequestTarget(parser.get().target(), head);
        co_await writeError(stream, 413, "request body too large", parser.get().version(), head.request_id);
        answered(head, 413, since);
        break;
      }
      if (body_ec) break;
      deadline.never();  // the handler's time is not the client's

      in_flight.fetch_add(1);
      auto& msg = parser.get();
      Request req = requestHead(msg, remote);
      req.body = std::move(msg.body());
      if (terminals && websocket::is_upgrade(msg) && parseRequestTarget(msg.target(), req)) {
        // A browser does not apply CORS to WebSockets: the Host and Origin checks are all
        // that keeps another site's page out of a shell.
        if (!browser.answersToHost(req.header("host").value_or("")) || !browser.allowsWebSocketFrom(req)) {
          in_flight.fetch_sub(1);
          co_await writeError(stream, 403, "this origin may not open a WebSocket here", msg.version(), req.request_id);
          answered(req, 403, since);
          break;
        }
        // Opening a shell waits on the backend: on the worker pool, like any blocking route.
        auto opened = co_await net::co_spawn(
            blocking.get_executor(),
            [&]() -> net::awaitable<std::variant<Response, std::shared_ptr<Terminal>>> {
              try {
                co_return terminals(req);
              } catch (const std::exception& e) {
                spdlog::error("{} {}: unhandled exception: {}", req.method, req.path, e.what());
                co_return Response::protocolError(500, "internal error");
              }
            },
            net::use_awaitable);
        if (auto* term = std::get_if<std::shared_ptr<Terminal>>(&opened)) {
          websocket::stream<beast::tcp_stream> ws(std::move(stream));
          beast::get_lowest_layer(ws).expires_never();  // the WebSocket's own timeouts apply
          ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
          ws.read_message_max(kMaxTerminalFrame);
          ws.binary(true);
          ws.set_option(withRequestId(req.request_id));
          auto [aec] = co_await ws.async_accept(msg, kUseTuple);
          in_flight.fetch_sub(1);
          answered(req, aec ? 400 : 101, since);
          if (!aec) co_await bridge(ws, *term);
          else (*term)->close();
          co_return;
        }
        auto answer = std::get<Response>(std::move(opened));
        if (answer.feed) {
          websocket::stream<beast::tcp_stream> ws(std::move(stream));
          beast::get_lowest_layer(ws).expires_never();  // the WebSocket's own timeouts and pings apply
          ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(30), kStreamIdle, true});
          ws.read_message_max(kMaxTerminalFrame);
          ws.text(true);
          ws.set_option(withRequestId(req.request_id));
          auto [aec] = co_await ws.async_accept(msg, kUseTuple);
          in_flight.fetch_sub(1);
          answered(req, aec ? 400 : 101, since);
          if (!aec) co_await streamToSocket(ws, answer.feed);
          answer.feed->detach();
          co_return;
        }
        const auto& refused = answer;
        const auto parsed = parseJsonOr(refused.body, nlohmann::json());
        const std::string why = parsed.is_object() ? parsed.value("error", "refused") : "refused";
        in_flight.fetch_sub(1);
        co_await writeError(stream, refused.status, why, msg.version(), req.request_id);
        answered(req, refused.status, since);
        break;
      }
      Response res;
      if (!parseRequestTarget(msg.target(), req)) {
        res = Response::protocolError(400, "malformed request target");
      } else if (auto screened = browser.screen(req)) {
        res = std::move(*screened);
      } else {
        try {
          res = handler(req);
          if (res.deferred) {
            // The work runs on the worker pool; this session waits without holding its I/O
            // thread. (A named local, captured by reference: g++ 12 mishandles temporaries
            // and by-value parameters around co_await.)
            const std::function<Response()> work = std::move(res.deferred);
            res = co_await net::co_spawn(
                blocking.get_executor(), [&work]() -> net::awaitable<Response> { co_return work(); }, net::use_awaitable);
          } else if (res.pending) {
            const std::function<void(std::function<void(Response)>)> start = std::move(res.pending);
            res = co_await awaitPending(start);
          }
        } catch (const std::exception& e) {
          spdlog::error("{} {}: unhandled exception: {}", req.method, req.path, e.what());
          res = Response::protocolError(500, "internal error");
        }
      }
      if (res.drop_connection) {
        in_flight.fetch_sub(1);
        break;
      }
      res.headers.emplace_back("X-Request-Id", req.request_id);
      browser.decorate(req, res);
      if (res.feed && res.status == 200) {
        in_flight.fetch_sub(1);
        answered(req, 200, since);  // when the stream starts: it may last for hours
        co_await streamEvents(stream, msg.version(), res);
        break;
      }
      const bool keep_alive = msg.keep_alive() && !stopping.load();
      if (!statusHasBody(res.status)) res.body.clear();
      const std::string head = httpResponseHead(res.status, msg.version(), res.content_type, res.headers, res.body.size(), keep_alive);
      const std::array<net::const_buffer, 2> message{net::buffer(head), net::buffer(res.body)};
      deadline.expiresAfter(config.io_timeout);
      auto [write_ec, n] = co_await net::async_write(stream, message, kUseTuple);
      in_flight.fetch_sub(1);
      answered(req, res.status, since);
      if (write_ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // Registers a long-lived session (a live stream, a terminal) with the way to end it: stop()
  // ends them all and lets them finish before it stops the I/O threads. One that starts while
  // the server is stopping is ended at once.
  struct Ender {
    Impl& impl;
    std::list<std::function<void()>>::iterator it;
    Ender(Impl& i, std::function<void()> end) : impl(i) {
      std::lock_guard lock(impl.enders_mutex);
      it = impl.enders.insert(impl.enders.end(), end);
      if (impl.stopping.load()) end();
    }
    ~Ender() {
      std::lock_guard lock(impl.enders_mutex);
      impl.enders.erase(it);
    }
    Ender(const Ender&) = delete;
    Ender& operator=(const Ender&) = delete;
  };
  // A live stream's registration; at the end, the feed forgets this session's waker.
  struct StreamGuard {
    std::shared_ptr<Feed> feed;
    Ender ender;
    StreamGuard(Impl& i, std::shared_ptr<Feed> f) : feed(f), ender(i, [f] { f->close(); }) {}
    ~StreamGuard() { feed->detach(); }
  };

  net::awaitable<void> streamToSocket(websocket::stream<beast::tcp_stream>& ws, std::shared_ptr<Feed> feed) {
    StreamGuard guard(*this, feed);
    co_await sendFeed(ws, *feed);
  }

  net::awaitable<void> streamEvents(beast::tcp_stream& stream, unsigned version, const Response& res) {
    StreamGuard guard(*this, res.feed);
    co_await sendEvents(stream, version, res, config.io_timeout);
  }

  // Suspends the session until `start`'s work completes; the completion may be called from
  // any thread, and resumes the session on its own executor.
  static net::awaitable<Response> awaitPending(const std::function<void(std::function<void(Response)>)>& start) {
    co_return co_await net::async_initiate<decltype(net::use_awaitable), void(Response)>(
        [&start](auto handler) {
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          start([shared](Response r) {
            auto ex = net::get_associated_executor(*shared);
            net::dispatch(ex, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
          });
        },
        net::use_awaitable);
  }

  net::awaitable<void> writeError(beast::tcp_stream& stream, int status, std::string_view message,
                                  unsigned version, const std::string& request_id) {
    http::response<http::string_body> out{static_cast<http::status>(status), version};
    out.set(http::field::content_type, "application/json");
    out.set("X-Request-Id", request_id);
    out.body() = Response::protocolError(status, message).body;
    out.keep_alive(false);
    out.prepare_payload();
    stream.expires_after(config.io_timeout);
    co_await http::async_write(stream, out, kUseTuple);
  }

  // Every answer ends here: its access line, then the observer (metrics).
  void answered(const Request& req, int status, Steady::time_point since) {
    const auto elapsed = Steady::now() - since;
    logAccess(req, status, elapsed);
    if (observer) observer(req, status, elapsed);
  }

  // The WebSocket handshake answer carries the request id like any other answer.
  static websocket::stream_base::decorator withRequestId(const std::string& id) {
    return websocket::stream_base::decorator([id](websocket::response_type& res) { res.set("X-Request-Id", id); });
  }

  net::awaitable<void> acceptLoop(tcp::acceptor& acceptor) {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;  // e.g. EMFILE; keep serving the connections we have
      }
      socket.set_option(tcp::no_delay(true), ec);
      net::co_spawn(acceptor.get_executor(), session(std::move(socket)), logEscapedException);
    }
  }

  const ServerConfig config;
  const BrowserPolicy browser;
  std::mutex enders_mutex;
  std::list<std::function<void()>> enders;  ///< How to end each live stream and terminal being served.
  RequestHandler handler;
  TerminalHandler terminals;
  RequestObserver observer;
  BodyLimits body_limits;
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  /// Runs deferred responses (Response::later) and upgrades. Declared after the contexts, so it is
  /// joined before they go: its work completes into them.
  net::thread_pool blocking{8};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
};

HttpServer::HttpServer(const ServerConfig& config, RequestHandler handler, TerminalHandler terminals,
                       BodyLimits body_limits)
    : impl_(std::make_unique<Impl>(config, std::move(handler), std::move(terminals), std::move(body_limits))) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

void HttpServer::observe(RequestObserver observer) { impl_->observer = std::move(observer); }

Result<std::uint16_t> HttpServer::start() {
  auto& d = *impl_;
  unsigned n = d.config.threads ? d.config.threads : std::max(1u, std::thread::hardware_concurrency());
  boost::system::error_code ec;
  const auto address = net::ip::make_address(d.config.bind_address, ec);
  if (ec) return makeError(Errc::invalid_argument, "bad bind address: " + d.config.bind_address);
  std::uint16_t port = d.config.port;
  if (port != 0) {
    // The acceptors share the port through SO_REUSEPORT, which would let a second server on the
    // same port start silently and take half the traffic. A probe without it fails instead.
    net::io_context probe_context;
    tcp::acceptor probe(probe_context);
    probe.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) probe.bind(tcp::endpoint(address, port), ec);
    if (ec)
      return makeError(ec == net::error::address_in_use ? Errc::conflict : Errc::internal,
                       "cannot listen on " + d.config.bind_address + ":" + std::to_string(port) + ": " + ec.message());
  }
  for (unsigned i = 0; i < n; ++i) {
    auto ctx = std::make_unique<net::io_context>(1);
    auto acceptor = std::make_unique<tcp::acceptor>(*ctx);
    const tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->set_option(ReusePort(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return makeError(Errc::internal, "cannot listen on " + d.config.bind_address + ":" +
                                           std::to_string(port) + ": " + ec.message());
    }
    port = acceptor->local_endpoint().port();  // with port 0, every acceptor joins the first's port
    net::co_spawn(*ctx, d.acceptLoop(*acceptor), net::detached);
    d.contexts.push_back(std::move(ctx));
    d.acceptors.push_back(std::move(acceptor));
  }
  for (auto& ctx : d.contexts)
    d.threads.emplace_back([c = ctx.get()] {
      bindIoThread(*c);  // agent connections opened from this thread live on its context
      c->run();
      unbindIoThread();
    });
  return port;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (d.threads.empty()) return;
  d.stopping = true;
  for (std::size_t i = 0; i < d.acceptors.size(); ++i)
    net::post(*d.contexts[i], [a = d.acceptors[i].get()] {
      boost::system::error_code ignored;
      a->close(ignored);
    });
  {
    // Live streams and terminals never end by themselves: end them, and let their sessions finish.
    std::lock_guard lock(d.enders_mutex);
    for (const auto& end : d.enders) end();
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (d.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
       std::chrono::steady_clock::now() < until;) {
    {
      std::lock_guard lock(d.enders_mutex);
      if (d.enders.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& ctx : d.contexts) ctx->stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
}

}  // namespace ws
