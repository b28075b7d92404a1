#include "proxy/server/resilience_metrics.h"

#include "proxy/metrics/prometheus.h"

namespace archway::server {

std::string render_resilience_metrics(
    const std::vector<resilience::ClusterStates::Report>& clusters) {
  if (clusters.empty()) return {};
  std::string out =
      "# HELP archway_circuit_breaker_overflows_total Requests answered 503 because a cluster's "
      "circuit-breaker limit was reached.\n"
      "# TYPE archway_circuit_breaker_overflows_total counter\n";
  for (const auto& c : clusters) {
    for (size_t i = 0; i < resilience::kBreakerLimitCount; ++i) {
      out += "archway_circuit_breaker_overflows_total{cluster=\"" +
             metrics::escape_label(c.cluster) + "\",limit=\"" +
             std::string(resilience::breaker_limit_name(static_cast<resilience::BreakerLimit>(i))) +
             "\"} " + std::to_string(c.overflows[i]) + "\n";
    }
  }
  out +=
      "# HELP archway_outlier_ejections_total Endpoints ejected by outlier detection.\n"
      "# TYPE archway_outlier_ejections_total counter\n";
  for (const auto& c : clusters) {
    out += "archway_outlier_ejections_total{cluster=\"" + metrics::escape_label(c.cluster) +
           "\"} " + std::to_string(c.ejections) + "\n";
  }
  out +=
      "# HELP archway_outlier_ejected_endpoints Endpoints ejected now.\n"
      "# TYPE archway_outlier_ejected_endpoints gauge\n";
  for (const auto& c : clusters) {
    out += "archway_outlier_ejected_endpoints{cluster=\"" + metrics::escape_label(c.cluster) +
           "\"} " + std::to_string(c.ejected_now) + "\n";
  }
  return out;
}

}  // namespace archway::server
