#include "proxy/resilience/cluster_states.h"

namespace archway::resilience {

ClusterResilience ClusterStates::obtain(const std::string& cluster,
                                        const std::vector<std::string>& endpoints,
                                        const BreakerLimits& limits,
                                        const std::optional<OutlierSettings>& outlier, bool retries,
                                        const std::optional<HealthSettings>& health) {
  std::lock_guard lock(mutex_);
  // Forget what no table holds any more (clusters gone from the snapshot).
  std::erase_if(entries_, [](const auto& item) {
    return item.second.breaker.expired() && item.second.outlier.expired() &&
           item.second.retry_budget.expired() && item.second.health.expired();
  });
  ClusterResilience out;
  out.limits = limits;
  if (!limits.any() && !outlier && !retries && !health) return out;
  Entry& entry = entries_[cluster];
  if (retries) {
    out.retry_budget = entry.retry_budget.lock();
    if (!out.retry_budget) {
      out.retry_budget = std::make_shared<RetryBudget>();
      entry.retry_budget = out.retry_budget;
    }
  }
  if (limits.any()) {
    out.breaker = entry.breaker.lock();
    if (!out.breaker) {
      out.breaker = std::make_shared<BreakerCounters>();
      entry.breaker = out.breaker;
    }
  }
  if (outlier && outlier->consecutive_5xx > 0) {
    out.outlier = entry.outlier.lock();
    if (!out.outlier || entry.endpoints != endpoints || out.outlier->settings() != *outlier) {
      out.outlier = std::make_shared<OutlierDetector>(endpoints.size(), *outlier);
      entry.outlier = out.outlier;
      entry.endpoints = endpoints;
    }
  }
  if (health) {
    out.health = entry.health.lock();
    if (!out.health || entry.health_endpoints != endpoints || out.health->settings() != *health) {
      out.health = std::make_shared<HealthState>(endpoints.size(), *health);
      entry.health = out.health;
      entry.health_endpoints = endpoints;
    }
  }
  return out;
}

std::vector<ClusterStates::Report> ClusterStates::report(OutlierDetector::TimePoint now) const {
  std::lock_guard lock(mutex_);
  std::vector<Report> out;
  for (const auto& [name, entry] : entries_) {
    auto breaker = entry.breaker.lock();
    auto outlier = entry.outlier.lock();
    if (!breaker && !outlier) continue;
    Report r;
    r.cluster = name;
    if (breaker) {
      for (size_t i = 0; i < kBreakerLimitCount; ++i) {
        r.overflows[i] = breaker->overflows(static_cast<BreakerLimit>(i));
      }
    }
    if (outlier) {
      r.ejections = outlier->ejections();
      r.ejected_now = outlier->ejected_count(now);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<ClusterStates::HealthReport> ClusterStates::health_report() const {
  std::lock_guard lock(mutex_);
  std::vector<HealthReport> out;
  for (const auto& [name, entry] : entries_) {
    auto health = entry.health.lock();
    if (!health) continue;
    HealthReport r;
    r.cluster = name;
    r.unhealthy_now = health->unhealthy_count();
    for (size_t i = 0; i < r.probes.size(); ++i) {
      r.probes[i] = health->probes(static_cast<ProbeResult>(i));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace archway::resilience
