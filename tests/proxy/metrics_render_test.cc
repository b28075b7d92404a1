#include <gtest/gtest.h>

#include "proxy/metrics/prometheus.h"
#include "proxy/metrics/worker_stats.h"

namespace archway::metrics {
namespace {

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, MergesWorkersAndRenders) {
  WorkerStats a, b;
  int route1 = 0, route2 = 0;  // stand-ins for CompiledRoute addresses
  a.record(&route1, "shop/orders", "read", 200, 0.0007);
  a.record(&route1, "shop/orders", "read", 200, 0.2);
  b.record(&route1, "shop/orders", "read", 200, 2.0);
  b.record(&route2, "shop/orders", "write", 503, 0.01);
  b.record(nullptr, "", "", 404, 0.0001);
  a.connection_opened();
  b.connection_opened();
  b.connection_opened();
  b.connection_closed();
  StatsSnapshot merged;
  merged.merge(a.snapshot());
  merged.merge(b.snapshot());
  ProcessGauges gauges{"42", 0.003, true, false};
  const std::string text = render_prometheus(merged, gauges);
  EXPECT_TRUE(contains(
      text, "archway_requests_total{route=\"shop/orders\",rule=\"read\",code=\"200\"} 3\n"));
  EXPECT_TRUE(contains(
      text, "archway_requests_total{route=\"shop/orders\",rule=\"write\",code=\"503\"} 1\n"));
  EXPECT_TRUE(contains(text, "archway_requests_total{route=\"\",rule=\"\",code=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_bucket{le=\"0.001\"} 2\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_count 5\n"));
  EXPECT_TRUE(contains(text, "archway_connections_active 2\n"));
  EXPECT_TRUE(contains(text, "archway_config_version{version=\"42\"} 42\n"));
  EXPECT_TRUE(contains(text, "archway_ready 1\n"));
}

TEST(Metrics, FoldKeepsCountsAcrossTableSwap) {
  WorkerStats s;
  int route = 0;
  s.record(&route, "r", "x", 200, 0.001);
  s.fold();
  int other = 0;
  s.record(&other, "r", "x", 200, 0.001);
  const auto snap = s.snapshot();
  EXPECT_EQ((snap.requests.at({"r", "x", 200})), 2u);
}

// archway_upstream_retries_total{cluster,reason} and the budget's
// refusals: per worker, summed on scrape, every reason of a cluster
// written once it has any.
TEST(Metrics, RetriesMergeAcrossWorkers) {
  WorkerStats a, b;
  a.count_retry("shop/orders/8080", 0);  // connect-failure
  b.count_retry("shop/orders/8080", 0);
  b.count_retry("shop/orders/8080", 5);  // timeout
  b.count_retry("shop/orders/8080", kRetryBudgetExhaustedSlot);
  a.fold();  // a table swap keeps them (keyed by name)
  StatsSnapshot merged;
  merged.merge(a.snapshot());
  merged.merge(b.snapshot());
  const std::string text = render_prometheus(merged, ProcessGauges{"1", 0, true, false});
  for (const char* line : {
           "archway_upstream_retries_total{cluster=\"shop/orders/"
           "8080\",reason=\"connect-failure\"} 2\n",
           "archway_upstream_retries_total{cluster=\"shop/orders/8080\",reason=\"timeout\"} 1\n",
           "archway_upstream_retries_total{cluster=\"shop/orders/8080\",reason=\"gateway-error\"} "
           "0\n",
           "archway_upstream_retry_budget_exhausted_total{cluster=\"shop/orders/8080\"} 1\n",
           "# TYPE archway_upstream_retries_total counter\n",
       }) {
    EXPECT_TRUE(contains(text, line)) << line;
  }
}

TEST(Metrics, EscapesLabels) { EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

}  // namespace
}  // namespace archway::metrics
