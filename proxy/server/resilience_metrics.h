#pragma once
// Circuit-breaker and outlier-detection metrics, by cluster
// (docs/resilience.md "Metrics"): process-wide counts, read at scrape time
// from the clusters' shared state.

#include <string>
#include <vector>

#include "proxy/resilience/cluster_states.h"

namespace archway::server {

// archway_circuit_breaker_overflows_total{cluster,limit} (every limit of a
// cluster with limits, zeros included), archway_outlier_ejections_total and
// archway_outlier_ejected_endpoints{cluster}. Empty when no cluster has any.
[[nodiscard]] std::string render_resilience_metrics(
    const std::vector<resilience::ClusterStates::Report>& clusters);

}  // namespace archway::server
