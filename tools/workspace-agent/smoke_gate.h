#pragma once
// The runtime smoke gate of workspace-agent (parity row runtime_wedge_gate).
//
// After the first message the agent answers, it checks that its runtime still works: one
// trivial execute, run on the runtime's own thread, must come back with an answer (not empty,
// no exception) within a deadline. A runtime that fails the check is wedged: heartbeats then carry
// runtime_state "wedged" and the reason as sample_error, and the platform marks the workspace
// degraded. A wedged runtime is checked again at every heartbeat; the first check that passes
// clears the wedge, and the next heartbeat reports runtime_state "" again.
//
// Environment:
//   AGENT_SMOKE_DEADLINE_MS=<ms>          the deadline of the check (default 2000)
//   AGENT_WEDGE_AFTER_FIRST_EXECUTE=1     for tests: the runtime stops answering after its first
//                                         execute, so the check fails and the wedge sticks.

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace agent {

class SmokeGate {
  static constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

 public:
  using Execute = std::function<std::string(const std::string&)>;

  struct Options {
    std::chrono::milliseconds deadline{2000};
    bool wedge_after_first_execute = false;

    static Options fromEnv() {
      Options o;
      if (const char* ms = std::getenv("AGENT_SMOKE_DEADLINE_MS"); ms && *ms) {
        const long v = std::strtol(ms, nullptr, 10);
        if (v > 0) o.deadline = std::chrono::milliseconds(v);
      }
      const char* wedge = std::getenv("AGENT_WEDGE_AFTER_FIRST_EXECUTE");
      o.wedge_after_first_execute = wedge && (std::string(wedge) == "1" || std::string(wedge) == "true");
      return o;
    }
  };

  /// `execute` is the runtime's execute (text in, answer out); `report` sends a heartbeat at
  /// once, so that a change of state does not wait for the next one.
  SmokeGate(boost::asio::io_context& io, Execute execute, std::function<void()> report, Options options)
      : io_(io), execute_(std::move(execute)), report_(std::move(report)), options_(options) {}
  ~SmokeGate() { runtime_.join(); }
  SmokeGate(const SmokeGate&) = delete;
  SmokeGate& operator=(const SmokeGate&) = delete;

  /// After every execute the agent answered: the first one starts the gate.
  void executed() {
    if (armed_) return;
    armed_ = true;
    if (options_.wedge_after_first_execute) runtime_hung_ = true;
    start();
  }

  /// Before every heartbeat: a wedged runtime is checked again.
  void beforeHeartbeat() {
    if (wedge_reason_) start();
  }

  /// The heartbeat fields of the runtime's state: runtime_state "wedged" and the reason as
  /// sample_error while wedged, runtime_state "" otherwise.
  void annotate(nlohmann::json& beat) const {
    beat["runtime_state"] = wedge_reason_ ? "wedged" : "";
    if (wedge_reason_) beat["sample_error"] = *wedge_reason_;
  }

  bool wedged() const { return wedge_reason_.has_value(); }

 private:
  static constexpr const char* kProbe = "smoke check";

  void start() {
    if (checking_) return;
    checking_ = true;
    boost::asio::co_spawn(io_, check(), boost::asio::detached);
  }

  boost::asio::awaitable<void> check() {
    auto failure = co_await probe();
    checking_ = false;
    const bool was_wedged = wedge_reason_.has_value();
    if (failure && !was_wedged) {
      wedge_reason_ = std::move(failure);  // the first reason stays while wedged
      log("runtime wedged: " + *wedge_reason_);
      report_();
    } else if (!failure && was_wedged) {
      wedge_reason_.reset();
      log("runtime smoke check passed; wedge cleared");
      report_();
    } else if (!failure) {
      log("runtime smoke check passed");
    }
  }

  /// Runs one trivial execute on the runtime's thread; the reason it failed, if it did.
  boost::asio::awaitable<std::optional<std::string>> probe() {
    // Filled on the io thread once the runtime answers: the answer, or what the execute threw.
    struct Outcome {
      std::string answer, thrown;
    };
    auto outcome = std::make_shared<std::optional<Outcome>>();
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, options_.deadline);
    // A hung runtime never picks the work up, exactly as a wedged SDK never returns.
    if (!runtime_hung_) {
      boost::asio::post(runtime_, [execute = execute_, outcome, timer, ex = io_.get_executor()] {
        Outcome o;
        try {
          o.answer = execute(kProbe);
        } catch (const std::exception& e) {
          o.thrown = e.what();
        }
        boost::asio::post(ex, [outcome, timer, o = std::move(o)] {
          *outcome = o;
          timer->cancel();
        });
      });
    }
    co_await timer->async_wait(kTuple);
    const std::string fix = "; restart the workspace";
    if (!*outcome)
      co_return "runtime smoke check failed: no answer to a trivial execute within " +
          std::to_string(options_.deadline.count()) + " ms" + fix;
    if (!(*outcome)->thrown.empty())
      co_return "runtime smoke check failed: a trivial execute threw: " + (*outcome)->thrown.substr(0, 200) + fix;
    if ((*outcome)->answer.empty()) co_return "runtime smoke check failed: a trivial execute answered nothing" + fix;
    co_return std::nullopt;
  }

  static void log(const std::string& line) { std::cout << "[workspace-agent] " << line << std::endl; }

  boost::asio::io_context& io_;
  Execute execute_;
  std::function<void()> report_;
  Options options_;
  bool armed_ = false;
  bool checking_ = false;
  bool runtime_hung_ = false;
  std::optional<std::string> wedge_reason_;
  boost::asio::thread_pool runtime_{1};  ///< The runtime's own thread.
};

}  // namespace agent
