#pragma once
// Exponential backoff with jitter for every informer failure (DESIGN.md §1):
// the n-th consecutive failure waits initial * 2^n, stretched by a random
// factor in [1, 1.5) so that replicas restarted together do not retry in
// lockstep, and capped at `max`. Not thread-safe: one per loop.

#include <chrono>
#include <cstdint>
#include <random>

namespace archway::controller::informer {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);
  // The delay to wait before the next attempt; grows until reset().
  [[nodiscard]] std::chrono::milliseconds next();
  void reset() { failures_ = 0; }
  [[nodiscard]] int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_, max_;
  int failures_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace archway::controller::informer
