#include "proxy/exchange/cluster_resilience.h"

#include <algorithm>
#include <string>

namespace archway::exchange {
namespace {

template <typename T>
void lowest(std::optional<T>& into, const std::optional<T>& value) {
  if (value) into = into ? std::min(*into, *value) : *value;
}

// Field by field: the lowest that any of the cluster's routes sets.
void merge(config::CircuitBreaker& into, const config::CircuitBreaker& breaker) {
  lowest(into.max_connections, breaker.max_connections);
  lowest(into.max_pending_requests, breaker.max_pending_requests);
  lowest(into.max_requests, breaker.max_requests);
  lowest(into.consecutive_5xx, breaker.consecutive_5xx);
  lowest(into.base_ejection_time, breaker.base_ejection_time);
  lowest(into.max_ejection_percent, breaker.max_ejection_percent);
}

// Everything about a cluster's probes, as one string: a change of any of
// it starts the cluster's health state afresh.
std::string probe_identity(const config::HealthCheck& check) {
  std::string out = check.path + '|' + std::to_string(check.interval.count()) + '|' +
                    std::to_string(check.effective_timeout().count()) + '|' +
                    check.host.value_or("") + '|';
  for (const uint16_t status : check.expected_statuses) out += std::to_string(status) + ',';
  return out;
}

ClusterPolicy to_policy(const config::CircuitBreaker& breaker) {
  ClusterPolicy out;
  out.limits = {breaker.max_connections, breaker.max_pending_requests, breaker.max_requests};
  if (breaker.consecutive_5xx) {
    resilience::OutlierSettings settings;  // defaults: docs/resilience.md
    settings.consecutive_5xx = *breaker.consecutive_5xx;
    if (breaker.base_ejection_time) settings.base_ejection_time = *breaker.base_ejection_time;
    if (breaker.max_ejection_percent) settings.max_ejection_percent = *breaker.max_ejection_percent;
    out.outlier = settings;
  }
  return out;
}

}  // namespace

std::map<std::string, ClusterPolicy> cluster_policies(const config::Snapshot& snapshot) {
  std::map<std::string, config::CircuitBreaker> merged;
  std::map<std::string, ClusterPolicy> out;
  for (const auto& host : snapshot.virtual_hosts) {
    for (const auto& route : host.routes) {
      const bool retries = route.policies.retries && route.policies.retries->attempts > 0;
      for (const auto& backend : route.backends) {
        if (retries) out[backend.cluster].retries = true;
        if (route.policies.circuit_breaker) {
          merge(merged[backend.cluster], *route.policies.circuit_breaker);
        }
      }
    }
  }
  for (const auto& [cluster, breaker] : merged) {
    ClusterPolicy policy = to_policy(breaker);
    policy.retries = out[cluster].retries;
    out[cluster] = std::move(policy);
  }
  for (const auto& cluster : snapshot.clusters) {
    if (!cluster.health_check) continue;
    const config::HealthCheck& check = *cluster.health_check;
    out[cluster.name].health = resilience::HealthSettings{
        check.unhealthy_threshold, check.healthy_threshold, probe_identity(check)};
  }
  return out;
}

}  // namespace archway::exchange
