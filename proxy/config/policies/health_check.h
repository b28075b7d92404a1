#pragma once
// A cluster's `healthCheck` (docs/resilience.md "Health checks",
// docs/snapshot.md "healthCheck"): the proxy probes every endpoint of the
// cluster with `GET path` at `interval` and takes the endpoints that fail
// `unhealthyThreshold` probes in a row out of balancing until they pass
// `healthyThreshold` in a row. Carried per cluster, like loadBalancer: the
// state it keeps belongs to the endpoints; the controller gives a rule
// with a health check a cluster of its own.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace archway::config {

struct HealthCheck {
  // Bounds of the fields (the CRD's schema says the same).
  static constexpr std::chrono::milliseconds kMinInterval{100};
  static constexpr std::chrono::milliseconds kMaxInterval{3600000};
  static constexpr std::chrono::milliseconds kDefaultTimeout{1000};
  static constexpr uint32_t kMaxThreshold = 100;
  static constexpr size_t kMaxExpectedStatuses = 16;

  std::string path;                                  // absolute, sent as the request-target
  std::chrono::milliseconds interval{10000};         // between two probes of one endpoint
  std::optional<std::chrono::milliseconds> timeout;  // connect + response head
  uint32_t unhealthy_threshold = 3;                  // failures in a row → unhealthy
  uint32_t healthy_threshold = 2;                    // successes in a row → healthy again
  std::optional<std::string> host;                   // Host header; absent: the endpoint's address
  // Statuses that pass; empty: any 2xx or 3xx.
  std::vector<uint16_t> expected_statuses;

  // The timeout a probe runs with: the field, or 1 s but at most half the
  // interval (so a short interval needs no timeout of its own).
  [[nodiscard]] std::chrono::milliseconds effective_timeout() const {
    if (timeout) return *timeout;
    return std::min(kDefaultTimeout, interval / 2);
  }
  // Whether a probe answered with `status` passes.
  [[nodiscard]] bool expected(uint16_t status) const {
    if (expected_statuses.empty()) return status >= 200 && status < 400;
    for (const uint16_t s : expected_statuses) {
      if (s == status) return true;
    }
    return false;
  }

  bool operator==(const HealthCheck&) const = default;
};

}  // namespace archway::config
