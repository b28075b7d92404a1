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

}  // namespace
}  // namespace archway::ratelimit
