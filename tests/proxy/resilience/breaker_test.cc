#include "proxy/resilience/breaker.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace archway::resilience {
namespace {

TEST(BreakerCounters, OverflowsAtTheLimitAndCountsEachOverflow) {
  auto counters = std::make_shared<BreakerCounters>();
  std::vector<BreakerSlot> held;
  for (int i = 0; i < 2; ++i) {
    auto slot = counters->try_acquire(BreakerLimit::kRequests, 2);
    ASSERT_TRUE(slot.has_value()) << i;
    held.push_back(std::move(*slot));
  }
  EXPECT_FALSE(counters->try_acquire(BreakerLimit::kRequests, 2).has_value());
  EXPECT_FALSE(counters->try_acquire(BreakerLimit::kRequests, 2).has_value());
  EXPECT_EQ(counters->in_use(BreakerLimit::kRequests), 2u);
  EXPECT_EQ(counters->overflows(BreakerLimit::kRequests), 2u);
  // Other limits are counted apart.
  EXPECT_TRUE(counters->try_acquire(BreakerLimit::kConnections, 1).has_value());
  EXPECT_EQ(counters->overflows(BreakerLimit::kConnections), 0u);
}

TEST(BreakerCounters, ClosesAgainWhenASlotIsGivenBack) {
  auto counters = std::make_shared<BreakerCounters>();
  auto first = counters->try_acquire(BreakerLimit::kPendingRequests, 1);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(counters->try_acquire(BreakerLimit::kPendingRequests, 1).has_value());
  first.reset();  // the exchange ended, whichever way
  EXPECT_EQ(counters->in_use(BreakerLimit::kPendingRequests), 0u);
  EXPECT_TRUE(counters->try_acquire(BreakerLimit::kPendingRequests, 1).has_value());
}

TEST(BreakerCounters, ZeroPendingRequestsRefusesEveryWaitingRequest) {
  auto counters = std::make_shared<BreakerCounters>();
  EXPECT_FALSE(counters->try_acquire(BreakerLimit::kPendingRequests, 0).has_value());
  EXPECT_EQ(counters->overflows(BreakerLimit::kPendingRequests), 1u);
}

TEST(BreakerCounters, NoLimitTakesNothing) {
  auto counters = std::make_shared<BreakerCounters>();
  auto slot = counters->try_acquire(BreakerLimit::kRequests, std::nullopt);
  ASSERT_TRUE(slot.has_value());
  EXPECT_FALSE(slot->held());
  EXPECT_EQ(counters->in_use(BreakerLimit::kRequests), 0u);
}

TEST(BreakerSlot, MovingKeepsOneUnitAndReleaseIsIdempotent) {
  auto counters = std::make_shared<BreakerCounters>();
  auto slot = counters->try_acquire(BreakerLimit::kRequests, 5);
  ASSERT_TRUE(slot.has_value());
  BreakerSlot moved = std::move(*slot);
  slot.reset();
  EXPECT_EQ(counters->in_use(BreakerLimit::kRequests), 1u);
  moved.release();
  moved.release();
  EXPECT_EQ(counters->in_use(BreakerLimit::kRequests), 0u);
  // Move-assigning over a held slot gives the old unit back.
  auto a = counters->try_acquire(BreakerLimit::kRequests, 5);
  auto b = counters->try_acquire(BreakerLimit::kRequests, 5);
  ASSERT_TRUE(a && b);
  *a = std::move(*b);
  EXPECT_EQ(counters->in_use(BreakerLimit::kRequests), 1u);
}

TEST(BreakerSlot, KeepsItsCountersAliveAfterTheTableLetsGo) {
  auto counters = std::make_shared<BreakerCounters>();
  std::weak_ptr<BreakerCounters> weak = counters;
  auto slot = counters->try_acquire(BreakerLimit::kConnections, 1);
  counters.reset();
  EXPECT_FALSE(weak.expired());
  slot.reset();
  EXPECT_TRUE(weak.expired());
}

TEST(BreakerLimitName, IsTheCrdFieldName) {
  EXPECT_EQ(breaker_limit_name(BreakerLimit::kConnections), "maxConnections");
  EXPECT_EQ(breaker_limit_name(BreakerLimit::kPendingRequests), "maxPendingRequests");
  EXPECT_EQ(breaker_limit_name(BreakerLimit::kRequests), "maxRequests");
}

}  // namespace
}  // namespace archway::resilience
