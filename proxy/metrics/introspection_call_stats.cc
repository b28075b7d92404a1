#include "proxy/metrics/introspection_call_stats.h"

#include <cstdio>

#include "proxy/metrics/worker_stats.h"

namespace archway::metrics {

static_assert(IntrospectionCallStats{}.duration_buckets.size() == kDurationBuckets.size() + 1);

void IntrospectionCallStats::record(IntrospectionCallResult result, double seconds) {
  ++calls[static_cast<size_t>(result)];
  size_t b = 0;
  while (b < kDurationBuckets.size() && seconds > kDurationBuckets[b]) ++b;
  ++duration_buckets[b];
  duration_sum += seconds;
  ++duration_count;
}

void IntrospectionCallStats::merge(const IntrospectionCallStats& other) {
  for (size_t i = 0; i < calls.size(); ++i) calls[i] += other.calls[i];
  for (size_t i = 0; i < duration_buckets.size(); ++i) {
    duration_buckets[i] += other.duration_buckets[i];
  }
  duration_sum += other.duration_sum;
  duration_count += other.duration_count;
}

void render_introspection_calls(const IntrospectionCallStats& stats, std::string& out) {
  out +=
      "# HELP archway_introspection_calls_total OAuth2 token introspection calls, by "
      "result.\n";
  out += "# TYPE archway_introspection_calls_total counter\n";
  for (size_t i = 0; i < stats.calls.size(); ++i) {
    out += std::string("archway_introspection_calls_total{result=\"") +
           kIntrospectionCallResultNames[i] + "\"} " + std::to_string(stats.calls[i]) + "\n";
  }
  const std::string name = "archway_introspection_call_duration_seconds";
  out += "# HELP " + name + " Time from an introspection call's start to its answer.\n";
  out += "# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kDurationBuckets.size(); ++i) {
    cumulative += stats.duration_buckets[i];
    char le[32];
    std::snprintf(le, sizeof le, "%g", kDurationBuckets[i]);
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  cumulative += stats.duration_buckets.back();
  out += name + "_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.17g", stats.duration_sum);
  out += name + "_sum " + sum + "\n";
  out += name + "_count " + std::to_string(stats.duration_count) + "\n";
}

}  // namespace archway::metrics
