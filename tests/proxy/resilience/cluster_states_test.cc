#include "proxy/resilience/cluster_states.h"

#include <gtest/gtest.h>

namespace archway::resilience {
namespace {

const std::vector<std::string> kTwo = {"10.0.0.1:80", "10.0.0.2:80"};
const OutlierSettings kOutlier{2, std::chrono::seconds(30), 50};

TEST(ClusterStates, ASwapThatKeepsTheClusterKeepsItsCounts) {
  ClusterStates states;
  auto old_table = states.obtain("orders", kTwo, BreakerLimits{{}, {}, 2}, kOutlier);
  auto slot = old_table.breaker->try_acquire(BreakerLimit::kRequests, 2);
  // The new table lowers the limit: the request of the old one still counts.
  auto new_table = states.obtain("orders", kTwo, BreakerLimits{{}, {}, 1}, kOutlier);
  EXPECT_EQ(new_table.breaker, old_table.breaker);
  EXPECT_EQ(new_table.outlier, old_table.outlier);
  EXPECT_FALSE(new_table.breaker->try_acquire(BreakerLimit::kRequests, 1).has_value());
}

TEST(ClusterStates, ChangedEndpointsOrSettingsStartAFreshDetector) {
  ClusterStates states;
  auto a = states.obtain("orders", kTwo, {}, kOutlier);
  auto b = states.obtain("orders", {"10.0.0.1:80"}, {}, kOutlier);
  EXPECT_NE(a.outlier, b.outlier);
  auto c = states.obtain("orders", {"10.0.0.1:80"}, {}, OutlierSettings{3, {}, 50});
  EXPECT_NE(b.outlier, c.outlier);
  EXPECT_EQ(c.outlier->size(), 1u);
}

TEST(ClusterStates, ARetryBudgetOnlyWhereARouteRetriesAndKeptAcrossSwaps) {
  ClusterStates states;
  EXPECT_EQ(states.obtain("orders", kTwo, {}, std::nullopt).retry_budget, nullptr);
  auto old_table = states.obtain("orders", kTwo, {}, std::nullopt, true);
  ASSERT_NE(old_table.retry_budget, nullptr);
  EXPECT_EQ(old_table.breaker, nullptr);  // no limits: no breaker for it
  auto active = old_table.retry_budget->enter();
  // Endpoints changed: the budget is about requests, it stays.
  auto new_table = states.obtain("orders", {"10.0.0.3:80"}, {}, std::nullopt, true);
  EXPECT_EQ(new_table.retry_budget, old_table.retry_budget);
  EXPECT_EQ(new_table.retry_budget->active(), 1u);
}

TEST(ClusterStates, NothingWithoutLimitsOrDetection) {
  ClusterStates states;
  auto none = states.obtain("orders", kTwo, {}, std::nullopt);
  EXPECT_EQ(none.breaker, nullptr);
  EXPECT_EQ(none.outlier, nullptr);
  auto off = states.obtain("orders", kTwo, {}, OutlierSettings{0, {}, 50});
  EXPECT_EQ(off.outlier, nullptr);
  EXPECT_TRUE(states.report({}).empty());
}

TEST(ClusterStates, ReportsLiveClustersOnlyByName) {
  ClusterStates states;
  auto orders = states.obtain("orders", kTwo, BreakerLimits{{}, {}, 1}, kOutlier);
  { auto gone = states.obtain("gone", kTwo, BreakerLimits{1, {}, {}}, std::nullopt); }
  auto held = orders.breaker->try_acquire(BreakerLimit::kRequests, 1);
  (void)orders.breaker->try_acquire(BreakerLimit::kRequests, 1);
  const auto now = OutlierDetector::TimePoint{} + std::chrono::hours(1);
  orders.outlier->record(0, true, now);
  orders.outlier->record(0, true, now);
  auto report = states.report(now);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].cluster, "orders");
  EXPECT_EQ(report[0].overflows[static_cast<size_t>(BreakerLimit::kRequests)], 1u);
  EXPECT_EQ(report[0].ejections, 1u);
  EXPECT_EQ(report[0].ejected_now, 1u);
}

}  // namespace
}  // namespace archway::resilience
