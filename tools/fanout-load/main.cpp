// fanout-load: measures live-event fan-out. Opens N WebSocket clients on /ws (the canvas
// scope, admin token), then renames a workspace M times; each rename is one WORKSPACE_UPDATED
// event that every client must receive. Prints the latency from the moment the rename request
// is sent to each client's receipt (p50, p99, max), the deliveries missed, and the rename
// requests' own round trip as the anchor (the floor every delivery includes).

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Shared {
  std::vector<Clock::time_point> sent;  // per event
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<long> received{0};
};

// One hub client: reads every message and times the ones that carry a rename marker.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& io, Shared& shared) : ws_(io), shared_(shared) {}

  void open(const tcp::endpoint& ep, const std::string& token, std::atomic<int>& ready) {
    beast::get_lowest_layer(ws_).connect(ep);
    ws_.handshake("127.0.0.1", "/ws?token=" + token);
    ready.fetch_add(1);
  }
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      const auto now = Clock::now();
      const std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (auto at = text.find("\"fanout-"); at != std::string::npos) {
        const std::size_t k = std::stoul(text.substr(at + 8));
        std::lock_guard lock(self->shared_.mutex);
        if (k < self->shared_.sent.size())
          self->shared_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - self->shared_.sent[k]).count());
        self->shared_.received.fetch_add(1);
      }
      self->read();
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Shared& shared_;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fanout-load: live-event fan-out latency against a running workspace-server"};
  unsigned short port = 0;
  std::string token, workspace;
  int clients = 1000, events = 50, interval_ms = 100;
  cli.add_option("--port", port, "Server port on 127.0.0.1")->required();
  cli.add_option("--token", token, "Admin token")->required();
  cli.add_option("--workspace", workspace, "Workspace to rename")->required();
  cli.add_option("--clients", clients, "WebSocket clients")->capture_default_str();
  cli.add_option("--events", events, "Renames (events)")->capture_default_str();
  cli.add_option("--interval-ms", interval_ms, "Pause between renames")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;  // one socket per client
  ::setrlimit(RLIMIT_NOFILE, &files);
  const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), port);
  net::io_context io;
  Shared shared;
  shared.sent.resize(static_cast<std::size_t>(events));
  std::atomic<int> ready{0};
  std::vector<std::shared_ptr<Client>> all;
  for (int i = 0; i < clients; ++i) {
    auto c = std::make_shared<Client>(io, shared);
    c->open(ep, token, ready);
    c->read();
    all.push_back(c);
  }
  std::thread reader([&io] { io.run(); });

  net::io_context driver_io;
  beast::tcp_stream http_stream(driver_io);
  http_stream.connect(ep);
  std::vector<double> round_trips;
  for (int k = 0; k < events; ++k) {
    http::request<http::string_body> req{http::verb::patch, "/workspaces/" + workspace, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json");
    req.body() = "{\"name\":\"fanout-" + std::to_string(k) + "\"}";
    req.prepare_payload();
    {
      std::lock_guard lock(shared.mutex);
      shared.sent[static_cast<std::size_t>(k)] = Clock::now();
    }
    const auto t0 = Clock::now();
    http::write(http_stream, req);
    beast::flat_buffer b;
    http::response<http::string_body> res;
    http::read(http_stream, b, res);
    round_trips.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (res.result_int() != 200) {
      std::fprintf(stderr, "rename answered %d: %s\n", res.result_int(), res.body().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  const long expected = static_cast<long>(clients) * events;
  for (auto until = Clock::now() + std::chrono::seconds(10); shared.received.load() < expected && Clock::now() < until;)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  io.stop();
  reader.join();
  std::lock_guard lock(shared.mutex);
  std::printf("clients %d, events %d, deliveries %ld of %ld\n", clients, events, shared.received.load(), expected);
  std::printf("fan-out latency ms: p50 %.2f  p99 %.2f  max %.2f\n", percentile(shared.latencies_ms, 0.5),
              percentile(shared.latencies_ms, 0.99), percentile(shared.latencies_ms, 1.0));
  std::printf("anchor, the rename's round trip ms: p50 %.2f  p99 %.2f\n", percentile(round_trips, 0.5),
              percentile(round_trips, 0.99));
  return shared.received.load() == expected ? 0 : 2;
}
