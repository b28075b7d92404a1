#pragma once
// Active health-check state of one cluster's endpoints (docs/resilience.md
// "Health checks"): each endpoint is healthy or not, by the outcome of the
// prober's last probes. A healthy endpoint becomes unhealthy after
// `unhealthy_threshold` failed probes in a row (an unexpected status, a
// connection that failed or timed out); an unhealthy one becomes healthy
// again after `healthy_threshold` passed probes in a row.
//
// Every endpoint starts healthy: a new snapshot (or a new endpoint) must
// not black-hole traffic before its first probes have answered, and an
// endpoint the EndpointSlice calls ready is most likely serving.
//
// Thread: record() from the prober's thread only (one writer per
// endpoint); healthy() and the counts from any thread (workers read them
// per pick, the admin thread at scrape), relaxed atomics. Pure: no clock,
// no I/O.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace archway::resilience {

enum class ProbeResult { kSuccess, kFailure, kTimeout };

struct HealthSettings {
  uint32_t unhealthy_threshold = 3;
  uint32_t healthy_threshold = 2;
  // What is probed and how (path, interval, timeout, host, statuses), as
  // the caller spells it: a change of any of it starts a fresh state.
  std::string probe;

  bool operator==(const HealthSettings&) const = default;
};

class HealthState {
 public:
  enum class Transition { kNone, kBecameUnhealthy, kBecameHealthy };

  HealthState(size_t endpoints, HealthSettings settings);

  // The outcome of one probe of endpoint `i`; says whether it changed the
  // endpoint's health. Prober thread only.
  Transition record(size_t i, ProbeResult result);

  [[nodiscard]] bool healthy(size_t i) const {
    return endpoints_[i].healthy.load(std::memory_order_relaxed);
  }
  // Endpoints unhealthy now: 0 on a healthy cluster, so a pick reads this
  // one atomic and nothing else.
  [[nodiscard]] size_t unhealthy_count() const {
    return unhealthy_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t probes(ProbeResult result) const {
    return probes_[static_cast<size_t>(result)].load(std::memory_order_relaxed);
  }
  [[nodiscard]] size_t size() const { return endpoints_.size(); }
  [[nodiscard]] const HealthSettings& settings() const { return settings_; }

 private:
  struct Endpoint {
    std::atomic<bool> healthy{true};
    uint32_t run = 0;  // probes in a row against the current health; prober thread only
  };
  const HealthSettings settings_;
  std::vector<Endpoint> endpoints_;  // by the cluster's endpoint index; never resized
  std::atomic<size_t> unhealthy_{0};
  std::atomic<uint64_t> probes_[3] = {};  // by ProbeResult
};

[[nodiscard]] const char* probe_result_name(ProbeResult result);  // "success", ...

}  // namespace archway::resilience
