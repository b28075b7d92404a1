#pragma once
// OAuth2 token introspection calls (RFC 7662) made by one worker: how many,
// how each ended, how long each took (docs/auth.md "Metrics"). A part of
// WorkerStats, so it follows its rules: written by its worker only,
// copied into a StatsSnapshot by a scrape, merged and rendered there.
//
//   archway_introspection_calls_total{result}  active | inactive | error | unavailable
//   archway_introspection_call_duration_seconds  histogram, kDurationBuckets
//
// A call is one request to the endpoint: a burst of lookups of one token
// coalesced into one call counts once.

#include <array>
#include <cstdint>
#include <string>

namespace archway::metrics {

enum class IntrospectionCallResult : uint8_t {
  kActive,       // 200, an RFC 7662 answer, active
  kInactive,     // 200, an RFC 7662 answer, "active": false
  kError,        // an answer that is not RFC 7662 (non-200, not JSON, no boolean active)
  kUnavailable,  // no answer: connect, TLS, timeout, reset, the worker shutting down
};
inline constexpr std::array<const char*, 4> kIntrospectionCallResultNames = {
    "active", "inactive", "error", "unavailable"};

struct IntrospectionCallStats {
  std::array<uint64_t, kIntrospectionCallResultNames.size()> calls{};
  // Non-cumulative per bucket of kDurationBuckets, the last one +Inf.
  std::array<uint64_t, 13> duration_buckets{};
  double duration_sum = 0;
  uint64_t duration_count = 0;

  void record(IntrospectionCallResult result, double seconds);
  void merge(const IntrospectionCallStats& other);
};

// Appends both families (HELP and TYPE even before the first call, so a
// dashboard finds the names).
void render_introspection_calls(const IntrospectionCallStats& stats, std::string& out);

}  // namespace archway::metrics
