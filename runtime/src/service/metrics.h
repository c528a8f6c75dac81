#pragma once
// What GET /metrics exposes, in the Prometheus text format (0.0.4): the requests the server
// answered per route pattern, provisioning times, backend errors, A2A delivery times and the
// busy-agent queue's traffic. The
// server, the services and the sweeps record into one Metrics; prometheus-cpp stays inside
// metrics.cpp. Gauges of the current state (workspaces, stream clients) are not kept here: the
// /metrics handler reads them at each scrape and hands them to render().
//
// Every label has a bounded set of values: route patterns (never raw paths), known methods,
// status codes, backend and operation names.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ws {

class Metrics {
 public:
  using Seconds = std::chrono::duration<double>;

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// An answered HTTP request. `route` is the router's pattern, "" when none matched (counted as
  /// "unmatched"); a method outside the HTTP verbs counts as "OTHER".
  void httpRequest(std::string_view method, std::string_view route, int status, Seconds elapsed);
  /// A backend's start of a workspace finished, successfully or not, after `elapsed`.
  void provision(std::string_view backend, bool ok, Seconds elapsed);
  /// A backend call failed (`operation`: start, stop, is_running, exec, ...).
  void backendError(std::string_view backend, std::string_view operation);
  /// An A2A delivery to an agent ended with `outcome` (ok, agent_error, timeout, unreachable,
  /// refused) after `elapsed`.
  void a2aDelivery(std::string_view outcome, Seconds elapsed);
  /// A busy agent's request was queued (a new item; a repeat of one queued is not counted).
  void a2aQueued();
  /// A queued item's delivery ended with `outcome`: completed, retried (queued again) or failed.
  void a2aQueueDrained(std::string_view outcome);
  /// `count` queued items were dropped (drop-stale).
  void a2aQueueDropped(int count);

  /// A gauge computed at scrape time: one value per label set.
  struct Gauge {
    std::string name;
    std::string help;
    std::vector<std::pair<std::map<std::string, std::string>, double>> samples;
  };
  /// Everything recorded, then `gauges`, as Prometheus text.
  std::string render(const std::vector<Gauge>& gauges) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ws
