#pragma once
// Which circuit-breaker limits and outlier settings each cluster of a
// snapshot gets (docs/resilience.md "From rules to clusters"). The
// snapshot carries `circuitBreaker` per route, the counts are per cluster:
// a cluster takes the policies of every route whose backends name it, each
// field the lowest any of them sets. A cluster's healthCheck is its own
// field and comes as it is. Pure; off the hot path.

#include <map>
#include <optional>
#include <string>

#include "proxy/config/snapshot.h"
#include "proxy/resilience/breaker.h"
#include "proxy/resilience/health_state.h"
#include "proxy/resilience/outlier_detector.h"

namespace archway::exchange {

struct ClusterPolicy {
  resilience::BreakerLimits limits;
  std::optional<resilience::OutlierSettings> outlier;  // set when consecutive5xx is
  bool retries = false;  // some route retries to it: it gets a retry budget
  // The cluster's own healthCheck (a cluster field, not merged from routes).
  std::optional<resilience::HealthSettings> health;
};

// By cluster name; clusters no route limits or retries to, and without a
// health check, are absent.
[[nodiscard]] std::map<std::string, ClusterPolicy> cluster_policies(
    const config::Snapshot& snapshot);

}  // namespace archway::exchange
