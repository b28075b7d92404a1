// A snapshot swap that keeps a limit keeps its buckets; changed numbers
// start fresh; tables nobody holds are forgotten.

#include "proxy/ratelimit/limit_tables.h"

#include <gtest/gtest.h>

#include <chrono>

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'796'000'000'000'000'000;

TEST(LimitTables, SameLimitAcrossSnapshotsSharesBuckets) {
  LimitTables tables;
  auto first = tables.table("orders/rule-0", GcraLimit::from(1, 60s, 0));
  EXPECT_TRUE(first->take("client", kNow).allowed);
  auto second = tables.table("orders/rule-0", GcraLimit::from(1, 60s, 0));
  EXPECT_EQ(first, second);
  EXPECT_FALSE(second->take("client", kNow).allowed);
}

TEST(LimitTables, ChangedNumbersOrAnotherRuleStartFresh) {
  LimitTables tables;
  auto before = tables.table("orders/rule-0", GcraLimit::from(1, 60s, 0));
  (void)before->take("client", kNow);
  auto changed = tables.table("orders/rule-0", GcraLimit::from(2, 60s, 0));
  EXPECT_NE(before, changed);
  EXPECT_TRUE(changed->take("client", kNow).allowed);
  auto other = tables.table("orders/rule-1", GcraLimit::from(2, 60s, 0));
  EXPECT_NE(other, changed);
}

TEST(LimitTables, TablesNoSnapshotHoldsAreForgotten) {
  LimitTables tables;
  {
    auto held = tables.table("a/r", GcraLimit::from(1, 1s, 0));
    EXPECT_EQ(tables.live(), 1u);
  }
  EXPECT_EQ(tables.live(), 0u);
  auto again = tables.table("a/r", GcraLimit::from(1, 1s, 0));
  EXPECT_TRUE(again->take("k", kNow).allowed);  // a fresh table: the old one is gone
}

// A restart: the debts saved by one process come back in the next one's
// table of the same limit, once a snapshot makes it; a limit whose numbers
// changed starts full; debts not yet claimed survive another save.
TEST(LimitTables, DebtsSurviveARestartIntoTheSameLimit) {
  const GcraLimit limit = GcraLimit::from(3, 3600s, 0);
  LimitTables before;
  auto table = before.table("quota", limit);
  for (int i = 0; i < 3; ++i) (void)table->take("tenant", kNow);
  const LimitTables::Debts debts = before.debts(kNow);
  ASSERT_EQ(debts.size(), 1u);
  ASSERT_EQ(debts.at("quota").size(), 1u);

  LimitTables after;
  after.restore_when_made(debts);
  EXPECT_EQ(after.debts(kNow).size(), 1u);  // unclaimed, still saved
  auto same = after.table("quota", limit);
  EXPECT_FALSE(same->take("tenant", kNow + 1'000'000'000).allowed);
  auto other = after.table("another", limit);
  EXPECT_TRUE(other->take("tenant", kNow).allowed);
}

}  // namespace
}  // namespace archway::ratelimit
