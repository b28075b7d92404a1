#pragma once
// Active health-check metrics, by cluster (docs/resilience.md "Health
// checks"): process-wide counts, read at scrape time from the clusters'
// shared health state.

#include <string>
#include <vector>

#include "proxy/resilience/cluster_states.h"

namespace archway::server {

// archway_health_check_unhealthy_endpoints{cluster} and
// archway_health_checks_total{cluster,result} (success, failure, timeout;
// zeros included). Empty when no cluster has a health check.
[[nodiscard]] std::string render_health_metrics(
    const std::vector<resilience::ClusterStates::HealthReport>& clusters);

}  // namespace archway::server
