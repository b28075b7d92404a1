#pragma once
// Outlier detection for one cluster's endpoints (docs/resilience.md
// "Outlier detection"): an endpoint that fails `consecutive5xx` times in a
// row (a 5xx answer, or a connection that failed, was reset or timed out)
// is ejected for baseEjectionTime × the number of times it was ejected
// (capped at kMaxEjectionTime, or baseEjectionTime when that is longer),
// as long as no more than maxEjectionPercent of the endpoints are ejected
// (one endpoint may always be). Ejected endpoints are skipped by choose();
// when fewer than half of the endpoints are healthy the cluster is in
// panic and every endpoint takes traffic again, ejected or not.
//
// Pure: every `now` is a parameter (tests pass a fake clock). Thread: any;
// shared by all workers, atomics only. Under concurrent failures of
// different endpoints the percentage check may let one more endpoint out
// than the figure says; never on the request path of a healthy cluster,
// where choose() is one atomic load.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace archway::resilience {

struct OutlierSettings {
  uint32_t consecutive_5xx = 0;  // 0: detection off
  std::chrono::milliseconds base_ejection_time{30000};
  uint32_t max_ejection_percent = 10;

  bool operator==(const OutlierSettings&) const = default;
};

class OutlierDetector {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Ejection times grow with each ejection up to this (Envoy's default).
  static constexpr std::chrono::milliseconds kMaxEjectionTime{300000};
  // Below this share of healthy endpoints, every endpoint takes traffic.
  static constexpr uint32_t kPanicHealthyPercent = 50;

  OutlierDetector(size_t endpoints, OutlierSettings settings);

  // The endpoint to use for a request whose balancer picked `picked`: it,
  // or the next one not ejected at `now`; `picked` itself in panic.
  [[nodiscard]] size_t choose(size_t picked, TimePoint now) const;
  // An answer (or a failure) from endpoint `i`. True when this failure
  // ejected the endpoint.
  bool record(size_t i, bool failure, TimePoint now);

  [[nodiscard]] bool ejected(size_t i, TimePoint now) const;
  // Whether any endpoint may be ejected at `now`: false on a healthy
  // cluster, at the cost of one atomic load.
  [[nodiscard]] bool ejecting(TimePoint now) const {
    return last_ejection_end_.load(std::memory_order_relaxed) > ticks(now);
  }
  [[nodiscard]] size_t ejected_count(TimePoint now) const;
  [[nodiscard]] uint64_t ejections() const { return ejections_.load(std::memory_order_relaxed); }
  [[nodiscard]] size_t size() const { return endpoints_.size(); }
  [[nodiscard]] const OutlierSettings& settings() const { return settings_; }

 private:
  struct Endpoint {
    std::atomic<uint32_t> consecutive{0};
    std::atomic<uint32_t> times_ejected{0};
    std::atomic<int64_t> ejected_until{0};  // steady_clock ticks; 0: never ejected
  };
  static int64_t ticks(TimePoint t) { return t.time_since_epoch().count(); }
  [[nodiscard]] bool may_eject(TimePoint now) const;
  [[nodiscard]] std::chrono::steady_clock::duration ejection_time(uint32_t times) const;

  const OutlierSettings settings_;
  std::vector<Endpoint> endpoints_;  // by the cluster's endpoint index; never resized
  // The latest end of any ejection: before it nothing is ejected, so a
  // healthy cluster's choose() reads this and nothing else.
  std::atomic<int64_t> last_ejection_end_{0};
  std::atomic<uint64_t> ejections_{0};
};

}  // namespace archway::resilience
