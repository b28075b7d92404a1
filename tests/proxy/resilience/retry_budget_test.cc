// The retry budget's accounting (docs/resilience.md "Retry budget").
#include "proxy/resilience/retry_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace archway::resilience {
namespace {

// How many retries fit at once for `active` requests in flight.
uint32_t retries_allowed(uint32_t active, uint32_t percent) {
  RetryBudget budget;
  std::vector<BudgetSlot> requests, retries;
  for (uint32_t i = 0; i < active; ++i) requests.push_back(budget.enter());
  while (auto slot = budget.try_retry(percent)) {
    retries.push_back(std::move(*slot));
    if (retries.size() > active + 100) break;  // a bug: bounded anyway
  }
  return static_cast<uint32_t>(retries.size());
}

TEST(RetryBudget, ShareOfActiveRequestsWithAMinimum) {
  const struct {
    uint32_t active;
    uint32_t percent;
    uint32_t want;
  } cases[] = {
      {0, 20, RetryBudget::kMinRetries},   // nothing in flight: the minimum
      {5, 20, RetryBudget::kMinRetries},   // 20 % of 5 = 1 < 3
      {15, 20, RetryBudget::kMinRetries},  // 3
      {50, 20, 10},                        //
      {100, 20, 20},                       //
      {99, 20, 19},                        // rounded down
      {100, 0, RetryBudget::kMinRetries},  // 0 %: the minimum only
      {100, 100, 100},                     //
      {100, 250, 100},                     // a percentage over 100 counts as 100
  };
  for (const auto& c : cases) {
    EXPECT_EQ(retries_allowed(c.active, c.percent), c.want)
        << c.active << " active, " << c.percent << "%";
  }
}

TEST(RetryBudget, SlotsGiveBackOnEveryPath) {
  RetryBudget budget;
  {
    auto request = budget.enter();
    EXPECT_EQ(budget.active(), 1u);
    auto retry = budget.try_retry(20);
    ASSERT_TRUE(retry.has_value());
    EXPECT_EQ(budget.retries(), 1u);
    BudgetSlot moved = std::move(*retry);  // moved: still one unit
    EXPECT_EQ(budget.retries(), 1u);
    moved.release();
    EXPECT_EQ(budget.retries(), 0u);
    moved.release();  // twice: nothing more
    EXPECT_EQ(budget.retries(), 0u);
  }
  EXPECT_EQ(budget.active(), 0u);  // destroyed: given back
}

TEST(RetryBudget, ConcurrentRetriesNeverPassTheLimit) {
  RetryBudget budget;
  std::vector<BudgetSlot> requests;
  for (int i = 0; i < 40; ++i) requests.push_back(budget.enter());  // allows 8 at 20 %
  std::atomic<uint32_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto slot = budget.try_retry(20);
        if (!slot) continue;
        uint32_t now = budget.retries();
        uint32_t seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 8u);
  EXPECT_GE(peak.load(), 1u);
  EXPECT_EQ(budget.retries(), 0u);
}

}  // namespace
}  // namespace archway::resilience
