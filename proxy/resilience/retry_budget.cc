#include "proxy/resilience/retry_budget.h"

#include <algorithm>

namespace archway::resilience {

std::optional<BudgetSlot> RetryBudget::try_retry(uint32_t percent) {
  const uint64_t share = static_cast<uint64_t>(active()) * std::min<uint32_t>(percent, 100) / 100;
  const uint32_t allowed = std::max<uint32_t>(kMinRetries, static_cast<uint32_t>(share));
  uint32_t current = retries_.load(std::memory_order_relaxed);
  do {
    if (current >= allowed) return std::nullopt;
  } while (!retries_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return BudgetSlot(&retries_);
}

}  // namespace archway::resilience
