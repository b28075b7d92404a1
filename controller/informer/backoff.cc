#include "controller/informer/backoff.h"

#include <algorithm>

namespace archway::controller::informer {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(std::max(initial, max)), rng_(seed) {}

std::chrono::milliseconds Backoff::next() {
  // 2^20 * 100 ms is far past any sane cap; stop doubling there (no overflow).
  const int exp = std::min(failures_, 20);
  ++failures_;
  const double base = static_cast<double>(initial_.count()) * static_cast<double>(1LL << exp);
  std::uniform_real_distribution<double> jitter(1.0, 1.5);
  const double ms = std::min(base * jitter(rng_), static_cast<double>(max_.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

}  // namespace archway::controller::informer
