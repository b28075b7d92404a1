#include "proxy/metrics/introspection_call_stats.h"

#include "proxy/metrics/families.h"

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
  out += render_histogram("archway_introspection_call_duration_seconds",
                          "Time from an introspection call's start to its answer.",
                          HistogramView{kDurationBuckets, stats.duration_buckets,
                                        stats.duration_sum, stats.duration_count});
}

}  // namespace archway::metrics
