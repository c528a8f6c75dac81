#include "service/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <mutex>
#include <unordered_map>

namespace ws {
namespace {

using prometheus::Histogram;

// Request latencies, from a cached read to a slow backend call.
const Histogram::BucketBoundaries kHttpBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
// A backend start: an image pull or an instance boot can take minutes.
const Histogram::BucketBoundaries kProvisionBuckets{0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
// An agent's answer: from an echo to a long model run (the proxy allows up to 30 minutes).
const Histogram::BucketBoundaries kA2aBuckets{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800};

std::string methodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"};
  for (auto known : kKnown)
    if (method == known) return std::string(known);
  return "OTHER";
}

}  // namespace

struct Metrics::Impl {
  prometheus::Registry registry;
  // The reference server's names where it has the metric (molecule_http_requests_total), so its
  // dashboards keep working.
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("molecule_http_requests_total")
          .Help("HTTP requests answered, by method, route pattern and status")
          .Register(registry);
  prometheus::Family<Histogram>& request_seconds =
      prometheus::BuildHistogram()
          .Name("molecule_http_request_duration_seconds")
          .Help("Time to answer an HTTP request, by method and route pattern")
          .Register(registry);
  prometheus::Family<Histogram>& provision_seconds =
      prometheus::BuildHistogram()
          .Name("molecule_provision_duration_seconds")
          .Help("Time a backend took to start a workspace, by backend and outcome")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& backend_errors =
      prometheus::BuildCounter()
          .Name("molecule_backend_errors_total")
          .Help("Failed backend calls, by backend and operation")
          .Register(registry);
  prometheus::Family<Histogram>& a2a_seconds =
      prometheus::BuildHistogram()
          .Name("molecule_a2a_proxy_duration_seconds")
          .Help("Time an A2A delivery to a workspace agent took, by outcome")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& a2a_queued =
      prometheus::BuildCounter()
          .Name("molecule_a2a_queue_enqueued_total")
          .Help("A2A requests queued because the target's agent was busy")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& a2a_drained =
      prometheus::BuildCounter()
          .Name("molecule_a2a_queue_drained_total")
          .Help("Deliveries of queued A2A requests, by outcome (completed, retried, failed)")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& a2a_dropped =
      prometheus::BuildCounter()
          .Name("molecule_a2a_queue_dropped_total")
          .Help("Queued A2A requests dropped as stale or expired")
          .Register(registry);

  // The series of each (method, route, status) once looked up: Family::Add builds and hashes
  // a label map, too much for every request. Routes, methods and statuses are few.
  struct HttpSeries {
    prometheus::Counter* requests;
    Histogram* seconds;
  };
  std::mutex series_mutex;
  std::unordered_map<std::string, HttpSeries> http_series;
  std::unordered_map<std::string, Histogram*> a2a_series;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::httpRequest(std::string_view method, std::string_view route, int status, Seconds elapsed) {
  const std::string path = route.empty() ? "unmatched" : std::string(route);
  const std::string verb = methodLabel(method);
  const std::string code = std::to_string(status);
  Impl::HttpSeries series;
  {
    std::lock_guard lock(impl_->series_mutex);
    auto [it, added] = impl_->http_series.try_emplace(verb + ' ' + path + ' ' + code);
    if (added)
      it->second = {&impl_->requests.Add({{"method", verb}, {"path", path}, {"status", code}}),
                    &impl_->request_seconds.Add({{"method", verb}, {"path", path}}, kHttpBuckets)};
    series = it->second;
  }
  series.requests->Increment();
  series.seconds->Observe(elapsed.count());
}

void Metrics::provision(std::string_view backend, bool ok, Seconds elapsed) {
  impl_->provision_seconds.Add({{"backend", std::string(backend)}, {"outcome", ok ? "ok" : "failed"}}, kProvisionBuckets)
      .Observe(elapsed.count());
}

void Metrics::backendError(std::string_view backend, std::string_view operation) {
  impl_->backend_errors.Add({{"backend", std::string(backend)}, {"operation", std::string(operation)}}).Increment();
}

void Metrics::a2aDelivery(std::string_view outcome, Seconds elapsed) {
  Histogram* series = nullptr;
  {
    std::lock_guard lock(impl_->series_mutex);
    auto [it, added] = impl_->a2a_series.try_emplace(std::string(outcome));
    if (added) it->second = &impl_->a2a_seconds.Add({{"outcome", std::string(outcome)}}, kA2aBuckets);
    series = it->second;
  }
  series->Observe(elapsed.count());
}

void Metrics::a2aQueued() { impl_->a2a_queued.Add({}).Increment(); }

void Metrics::a2aQueueDrained(std::string_view outcome) {
  impl_->a2a_drained.Add({{"outcome", std::string(outcome)}}).Increment();
}

void Metrics::a2aQueueDropped(int count) { impl_->a2a_dropped.Add({}).Increment(count); }

std::string Metrics::render(const std::vector<Gauge>& gauges) const {
  auto families = impl_->registry.Collect();
  for (const auto& g : gauges) {
    prometheus::MetricFamily family{g.name, g.help, prometheus::MetricType::Gauge, {}};
    for (const auto& [labels, value] : g.samples) {
      prometheus::ClientMetric m;
      for (const auto& [name, label_value] : labels) m.label.push_back({name, label_value});
      m.gauge.value = value;
      family.metric.push_back(std::move(m));
    }
    families.push_back(std::move(family));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace ws
