#pragma once
// The process's circuit-breaker counts and outlier detectors, by cluster
// name (docs/resilience.md "State across snapshots"). One object per
// process, owned by the server through filters::SharedPolicyState (never a
// global); route tables take their clusters' state from it when compiled.
//
// Lifetime: the tables own the state (shared_ptr); this registry only
// remembers it (weak_ptr), so a cluster's state lives while some table
// that names it does, and a swap that keeps the cluster keeps its counts
// (requests in flight on the old table are still counted). An outlier
// detector, and a health-check state, is kept only while the cluster's
// endpoint list and settings stay the same; any change to them starts a
// fresh one (no endpoint ejected, every endpoint healthy).
//
// Thread: obtain() on the thread compiling tables, report() on the admin
// thread; a mutex between them, never taken on the request path.

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proxy/resilience/breaker.h"
#include "proxy/resilience/health_state.h"
#include "proxy/resilience/outlier_detector.h"
#include "proxy/resilience/retry_budget.h"

namespace archway::resilience {

// What one compiled table holds for one cluster.
struct ClusterResilience {
  BreakerLimits limits;
  std::shared_ptr<BreakerCounters> breaker;   // null: no limit on this cluster
  std::shared_ptr<OutlierDetector> outlier;   // null: no outlier detection
  std::shared_ptr<RetryBudget> retry_budget;  // null: no route retries to it
  std::shared_ptr<HealthState> health;        // null: no active health checks
};

class ClusterStates {
 public:
  // `endpoints` names the cluster's endpoints in order ("10.0.0.1:80"):
  // an outlier detector's indexes mean these endpoints. `retries`: some
  // route retries requests to the cluster, which then gets a retry budget
  // (kept across swaps like the breaker counts). `health`: the cluster
  // has a health check, whose state is kept like the outlier detector's.
  [[nodiscard]] ClusterResilience obtain(const std::string& cluster,
                                         const std::vector<std::string>& endpoints,
                                         const BreakerLimits& limits,
                                         const std::optional<OutlierSettings>& outlier,
                                         bool retries = false,
                                         const std::optional<HealthSettings>& health = {});

  struct Report {
    std::string cluster;
    std::array<uint64_t, kBreakerLimitCount> overflows{};  // by BreakerLimit
    uint64_t ejections = 0;
    size_t ejected_now = 0;
  };
  // Every cluster some live table holds state for, by name.
  [[nodiscard]] std::vector<Report> report(OutlierDetector::TimePoint now) const;

  struct HealthReport {
    std::string cluster;
    size_t unhealthy_now = 0;
    std::array<uint64_t, 3> probes{};  // by ProbeResult
  };
  // Every cluster with a health check that some live table holds, by name.
  [[nodiscard]] std::vector<HealthReport> health_report() const;

 private:
  struct Entry {
    std::weak_ptr<BreakerCounters> breaker;
    std::weak_ptr<OutlierDetector> outlier;
    std::weak_ptr<RetryBudget> retry_budget;
    std::weak_ptr<HealthState> health;
    std::vector<std::string> endpoints;         // what `outlier` was built for
    std::vector<std::string> health_endpoints;  // what `health` was built for
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace archway::resilience
