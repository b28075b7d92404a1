#pragma once
// A duration histogram on kDurationBuckets, written by one worker and merged
// on scrape, and the exemplars one may carry: per bucket, the trace id of
// the latest sampled request that fell in it (OpenMetrics exemplars,
// docs/observability.md "Exemplars").

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace archway::metrics {

// Buckets for the duration histograms (upper bounds, seconds).
inline constexpr std::array<double, 12> kDurationBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

struct DurationHistogram {
  std::array<uint64_t, kDurationBuckets.size() + 1> buckets{};  // not cumulative; last: +Inf
  double sum = 0;
  uint64_t count = 0;

  // Counts `seconds`; returns the bucket it fell in.
  size_t observe(double seconds) {
    size_t b = 0;
    while (b < kDurationBuckets.size() && seconds > kDurationBuckets[b]) ++b;
    ++buckets[b];
    sum += seconds;
    ++count;
    return b;
  }
  void merge(const DurationHistogram& other);
};

struct Exemplar {
  std::array<char, 32> trace_id{};  // lowercase hex
  double value = 0;                 // the observed duration
  double unix_seconds = 0;          // when it was observed
  bool set = false;
};
struct Exemplars {
  std::array<Exemplar, kDurationBuckets.size() + 1> by_bucket;

  // `trace_id`: 32 hex digits (anything else is ignored).
  void note(size_t bucket, std::string_view trace_id, double value, double unix_seconds);
  // Per bucket, the later of the two.
  void merge(const Exemplars& other);
};

}  // namespace archway::metrics
