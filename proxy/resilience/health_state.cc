#include "proxy/resilience/health_state.h"

#include <utility>

namespace archway::resilience {

HealthState::HealthState(size_t endpoints, HealthSettings settings)
    : settings_(std::move(settings)), endpoints_(endpoints) {}

HealthState::Transition HealthState::record(size_t i, ProbeResult result) {
  probes_[static_cast<size_t>(result)].fetch_add(1, std::memory_order_relaxed);
  if (i >= endpoints_.size()) return Transition::kNone;
  Endpoint& e = endpoints_[i];
  const bool passed = result == ProbeResult::kSuccess;
  const bool healthy = e.healthy.load(std::memory_order_relaxed);
  // A probe that agrees with the current health ends any run against it.
  if (passed == healthy) {
    e.run = 0;
    return Transition::kNone;
  }
  const uint32_t needed = healthy ? settings_.unhealthy_threshold : settings_.healthy_threshold;
  if (++e.run < needed) return Transition::kNone;
  e.run = 0;
  e.healthy.store(!healthy, std::memory_order_relaxed);
  if (healthy) {
    unhealthy_.fetch_add(1, std::memory_order_relaxed);
    return Transition::kBecameUnhealthy;
  }
  unhealthy_.fetch_sub(1, std::memory_order_relaxed);
  return Transition::kBecameHealthy;
}

const char* probe_result_name(ProbeResult result) {
  switch (result) {
    case ProbeResult::kSuccess:
      return "success";
    case ProbeResult::kFailure:
      return "failure";
    case ProbeResult::kTimeout:
      return "timeout";
  }
  return "failure";
}

}  // namespace archway::resilience
