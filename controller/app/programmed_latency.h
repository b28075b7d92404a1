#pragma once
// archway_controller_programmed_seconds (docs/observability.md): from the
// first compile that saw an object's generation to the moment every live
// replica's proxy served it, observed by the leader. Written by the
// reconciler's thread, read by the health server's: one mutex, taken once
// per programmed generation and once per scrape.

#include <array>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace archway::controller::app {

class ProgrammedLatency {
 public:
  static constexpr std::array<double, 10> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

  void observe(double seconds) {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) ++counts_[i];
    }
    ++count_;
    sum_ += seconds;
  }

  // Prometheus text exposition format 0.0.4.
  [[nodiscard]] std::string prometheus_text() const {
    std::lock_guard lock(mu_);
    std::string out =
        "# HELP archway_controller_programmed_seconds From the first sight of an object's "
        "generation to every live replica's proxy serving it (leader only).\n"
        "# TYPE archway_controller_programmed_seconds histogram\n";
    char line[160];
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(line, sizeof line,
                    "archway_controller_programmed_seconds_bucket{le=\"%g\"} %llu\n", kBuckets[i],
                    static_cast<unsigned long long>(counts_[i]));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "archway_controller_programmed_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "archway_controller_programmed_seconds_sum %.6f\n"
                  "archway_controller_programmed_seconds_count %llu\n",
                  static_cast<unsigned long long>(count_), sum_,
                  static_cast<unsigned long long>(count_));
    out += line;
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::array<uint64_t, kBuckets.size()> counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace archway::controller::app
