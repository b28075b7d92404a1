#include "proxy/server/health_metrics.h"

#include "proxy/metrics/prometheus.h"

namespace archway::server {

std::string render_health_metrics(
    const std::vector<resilience::ClusterStates::HealthReport>& clusters) {
  if (clusters.empty()) return {};
  std::string out =
      "# HELP archway_health_check_unhealthy_endpoints Endpoints their active health check "
      "calls unhealthy now.\n"
      "# TYPE archway_health_check_unhealthy_endpoints gauge\n";
  for (const auto& c : clusters) {
    out += "archway_health_check_unhealthy_endpoints{cluster=\"" +
           metrics::escape_label(c.cluster) + "\"} " + std::to_string(c.unhealthy_now) + "\n";
  }
  out +=
      "# HELP archway_health_checks_total Active health-check probes, by outcome.\n"
      "# TYPE archway_health_checks_total counter\n";
  for (const auto& c : clusters) {
    for (size_t i = 0; i < c.probes.size(); ++i) {
      out += "archway_health_checks_total{cluster=\"" + metrics::escape_label(c.cluster) +
             "\",result=\"" +
             resilience::probe_result_name(static_cast<resilience::ProbeResult>(i)) + "\"} " +
             std::to_string(c.probes[i]) + "\n";
    }
  }
  return out;
}

}  // namespace archway::server
