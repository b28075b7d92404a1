#include "proxy/resilience/outlier_detector.h"

#include <algorithm>

namespace archway::resilience {

OutlierDetector::OutlierDetector(size_t endpoints, OutlierSettings settings)
    : settings_(settings), endpoints_(endpoints) {}

bool OutlierDetector::ejected(size_t i, TimePoint now) const {
  return endpoints_[i].ejected_until.load(std::memory_order_relaxed) > ticks(now);
}

size_t OutlierDetector::ejected_count(TimePoint now) const {
  if (last_ejection_end_.load(std::memory_order_relaxed) <= ticks(now)) return 0;
  size_t n = 0;
  for (size_t i = 0; i < endpoints_.size(); ++i) n += ejected(i, now) ? 1 : 0;
  return n;
}

size_t OutlierDetector::choose(size_t picked, TimePoint now) const {
  const size_t n = endpoints_.size();
  if (n == 0 || last_ejection_end_.load(std::memory_order_relaxed) <= ticks(now)) return picked;
  const size_t healthy = n - ejected_count(now);
  if (healthy * 100 < kPanicHealthyPercent * n) return picked;  // panic: every endpoint
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (picked + k) % n;
    if (!ejected(i, now)) return i;
  }
  return picked;
}

bool OutlierDetector::may_eject(TimePoint now) const {
  if (settings_.max_ejection_percent == 0) return false;
  const size_t out = ejected_count(now);
  // One endpoint may always be ejected (else a small cluster under a low
  // percentage could never eject anything), more within the percentage.
  return out == 0 || (out + 1) * 100 <= settings_.max_ejection_percent * endpoints_.size();
}

std::chrono::steady_clock::duration OutlierDetector::ejection_time(uint32_t times) const {
  const auto cap = std::max(kMaxEjectionTime, settings_.base_ejection_time);
  return std::min<std::chrono::steady_clock::duration>(settings_.base_ejection_time * times, cap);
}

bool OutlierDetector::record(size_t i, bool failure, TimePoint now) {
  if (settings_.consecutive_5xx == 0 || i >= endpoints_.size()) return false;
  Endpoint& e = endpoints_[i];
  if (!failure) {
    // Read before writing: a healthy endpoint's line is not written per
    // request by every worker.
    if (e.consecutive.load(std::memory_order_relaxed) != 0) {
      e.consecutive.store(0, std::memory_order_relaxed);
    }
    // A full baseEjectionTime served well after its last ejection ended:
    // the next ejection starts from baseEjectionTime again.
    if (e.times_ejected.load(std::memory_order_relaxed) != 0) {
      const int64_t until = e.ejected_until.load(std::memory_order_relaxed);
      const auto base = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            settings_.base_ejection_time)
                            .count();
      if (ticks(now) >= until + base) e.times_ejected.store(0, std::memory_order_relaxed);
    }
    return false;
  }
  const uint32_t failures = e.consecutive.fetch_add(1, std::memory_order_relaxed) + 1;
  if (failures < settings_.consecutive_5xx) return false;
  int64_t until = e.ejected_until.load(std::memory_order_relaxed);
  if (until > ticks(now)) return false;  // already out (answers still in flight)
  if (!may_eject(now)) return false;
  const uint32_t times = e.times_ejected.load(std::memory_order_relaxed) + 1;
  const int64_t end = ticks(now + ejection_time(times));
  // One worker wins the ejection; the others' failures were part of it.
  if (!e.ejected_until.compare_exchange_strong(until, end, std::memory_order_relaxed)) {
    return false;
  }
  e.times_ejected.store(times, std::memory_order_relaxed);
  e.consecutive.store(0, std::memory_order_relaxed);
  int64_t latest = last_ejection_end_.load(std::memory_order_relaxed);
  while (latest < end &&
         !last_ejection_end_.compare_exchange_weak(latest, end, std::memory_order_relaxed)) {
  }
  ejections_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace archway::resilience
