#pragma once
// The `circuitBreaker` policy as the snapshot carries it (docs/snapshot.md
// "circuitBreaker"). Every field is optional (absent: no limit of that kind)
// but at least one is set. Limits are per proxy replica.

#include <chrono>
#include <cstdint>
#include <optional>

namespace archway::config {

struct CircuitBreaker {
  std::optional<uint32_t> max_connections;       // 1..1000000
  std::optional<uint32_t> max_pending_requests;  // 0..1000000
  std::optional<uint32_t> max_requests;          // 1..1000000
  std::optional<uint32_t> consecutive_5xx;       // 0..1000; 0 disables ejection
  std::optional<std::chrono::milliseconds> base_ejection_time;
  std::optional<uint32_t> max_ejection_percent;  // 0..100

  bool operator==(const CircuitBreaker&) const = default;
};

}  // namespace archway::config
