#include "proxy/metrics/histogram.h"

#include <algorithm>

namespace archway::metrics {

void DurationHistogram::merge(const DurationHistogram& other) {
  for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += other.buckets[i];
  sum += other.sum;
  count += other.count;
}

void Exemplars::note(size_t bucket, std::string_view trace_id, double value, double unix_seconds) {
  if (bucket >= by_bucket.size() || trace_id.size() != 32) return;
  auto& e = by_bucket[bucket];
  std::copy(trace_id.begin(), trace_id.end(), e.trace_id.begin());
  e.value = value;
  e.unix_seconds = unix_seconds;
  e.set = true;
}

void Exemplars::merge(const Exemplars& other) {
  for (size_t i = 0; i < by_bucket.size(); ++i) {
    const auto& theirs = other.by_bucket[i];
    if (theirs.set && (!by_bucket[i].set || theirs.unix_seconds > by_bucket[i].unix_seconds)) {
      by_bucket[i] = theirs;
    }
  }
}

}  // namespace archway::metrics
