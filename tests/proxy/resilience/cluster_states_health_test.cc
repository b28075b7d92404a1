// A cluster's health-check state across snapshot swaps: kept while the
// endpoints and the check stay the same (an unhealthy endpoint stays out),
// started afresh, every endpoint healthy, when either changes; reported by
// cluster while a table holds it.

#include <gtest/gtest.h>

#include "proxy/resilience/cluster_states.h"

namespace archway::resilience {
namespace {

const std::vector<std::string> kTwo = {"10.0.0.1:80", "10.0.0.2:80"};
const HealthSettings kCheck{1, 1, "/healthz|5000"};

TEST(ClusterStatesHealth, KeptAcrossASwapThatChangesNothing) {
  ClusterStates states;
  auto old_table = states.obtain("orders", kTwo, {}, std::nullopt, false, kCheck);
  ASSERT_NE(old_table.health, nullptr);
  old_table.health->record(1, ProbeResult::kFailure);
  auto new_table = states.obtain("orders", kTwo, {}, std::nullopt, false, kCheck);
  EXPECT_EQ(new_table.health, old_table.health);
  EXPECT_FALSE(new_table.health->healthy(1));
}

TEST(ClusterStatesHealth, ChangedEndpointsOrCheckStartHealthy) {
  ClusterStates states;
  auto a = states.obtain("orders", kTwo, {}, std::nullopt, false, kCheck);
  a.health->record(0, ProbeResult::kFailure);
  auto b = states.obtain("orders", {"10.0.0.1:80"}, {}, std::nullopt, false, kCheck);
  EXPECT_NE(a.health, b.health);
  EXPECT_TRUE(b.health->healthy(0));
  auto c = states.obtain("orders", {"10.0.0.1:80"}, {}, std::nullopt, false,
                         HealthSettings{1, 1, "/ready|5000"});
  EXPECT_NE(b.health, c.health);
}

TEST(ClusterStatesHealth, NoneWithoutACheckAndReportedWhileHeld) {
  ClusterStates states;
  EXPECT_EQ(states.obtain("plain", kTwo, {}, std::nullopt).health, nullptr);
  auto orders = states.obtain("orders", kTwo, {}, std::nullopt, false, kCheck);
  { auto gone = states.obtain("gone", kTwo, {}, std::nullopt, false, kCheck); }
  orders.health->record(0, ProbeResult::kTimeout);
  orders.health->record(1, ProbeResult::kSuccess);
  const auto report = states.health_report();
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].cluster, "orders");
  EXPECT_EQ(report[0].unhealthy_now, 1u);
  EXPECT_EQ(report[0].probes[static_cast<size_t>(ProbeResult::kSuccess)], 1u);
  EXPECT_EQ(report[0].probes[static_cast<size_t>(ProbeResult::kTimeout)], 1u);
  // Breakers and outlier detection report nothing for a health-only cluster.
  EXPECT_TRUE(states.report({}).empty());
}

}  // namespace
}  // namespace archway::resilience
