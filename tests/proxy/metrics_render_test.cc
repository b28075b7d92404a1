#include <gtest/gtest.h>

#include "proxy/metrics/counted_connection.h"
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
  // By route: both rules of shop/orders in one histogram, no route alone.
  EXPECT_TRUE(contains(
      text, "archway_request_duration_seconds_bucket{route=\"shop/orders\",le=\"0.0005\"} 0\n"));
  EXPECT_TRUE(contains(
      text, "archway_request_duration_seconds_bucket{route=\"shop/orders\",le=\"0.001\"} 1\n"));
  EXPECT_TRUE(contains(
      text, "archway_request_duration_seconds_bucket{route=\"shop/orders\",le=\"0.01\"} 2\n"));
  EXPECT_TRUE(contains(
      text, "archway_request_duration_seconds_bucket{route=\"shop/orders\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_count{route=\"shop/orders\"} 4\n"));
  EXPECT_TRUE(
      contains(text, "archway_request_duration_seconds_bucket{route=\"\",le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(contains(text, "archway_request_duration_seconds_count{route=\"\"} 1\n"));
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

// The series budget: past the limit, a new route (and its rules) is
// counted as _overflow; routes already seen keep their names.
TEST(Metrics, RoutesBeyondTheLabelLimitOverflow) {
  WorkerStats s(2);
  int r1 = 0, r2 = 0, r3 = 0, r3b = 0;
  s.record(&r1, "a/one", "x", 200, 0.001);
  s.record(&r2, "a/two", "x", 200, 0.001);
  s.record(&r3, "a/three", "x", 200, 0.001);
  s.record(&r3b, "a/three", "y", 503, 0.001);
  s.record(&r1, "a/one", "x", 200, 0.001);
  s.record(nullptr, "", "", 404, 0.001);  // no route: never overflows
  const auto snap = s.snapshot();
  EXPECT_EQ((snap.requests.at({"a/one", "x", 200})), 2u);
  EXPECT_EQ((snap.requests.at({"a/two", "x", 200})), 1u);
  EXPECT_EQ((snap.requests.at({"_overflow", "_overflow", 200})), 1u);
  EXPECT_EQ((snap.requests.at({"_overflow", "_overflow", 503})), 1u);
  EXPECT_EQ((snap.requests.at({"", "", 404})), 1u);
  EXPECT_FALSE(snap.durations.contains("a/three"));
  EXPECT_EQ(snap.durations.at("_overflow").count, 2u);
}

// archway_upstream_*: answers by code, failures by kind, the head-time
// histogram and the connections gauge, per cluster, across a table swap
// and two workers.
TEST(Metrics, UpstreamByCluster) {
  WorkerStats a, b;
  int c1 = 0, c1_after_swap = 0;
  a.upstream().answered(&c1, "shop/orders/80", 200, 0.004);
  a.upstream().answered(&c1, "shop/orders/80", 503, 0.02);
  a.upstream().failed(&c1, "shop/orders/80", UpstreamFailure::kConnect);
  a.fold();
  a.upstream().answered(&c1_after_swap, "shop/orders/80", 200, 0.004);
  b.upstream().failed(&c1, "shop/orders/80", UpstreamFailure::kTimeout);
  b.upstream().failed(&c1, "shop/orders/80", UpstreamFailure::kReset);
  auto gauge = a.connection_gauge("shop/orders/80");
  {
    CountedConnection one(gauge), two(a.connection_gauge("shop/orders/80"));
    CountedConnection moved(std::move(two));
    EXPECT_EQ(*gauge, 2);
  }
  CountedConnection open(gauge);
  StatsSnapshot merged;
  merged.merge(a.snapshot());
  merged.merge(b.snapshot());
  const std::string text = render_prometheus(merged, ProcessGauges{"1", 0, true, false});
  for (const char* line : {
           "archway_upstream_requests_total{cluster=\"shop/orders/80\",code=\"200\"} 2\n",
           "archway_upstream_requests_total{cluster=\"shop/orders/80\",code=\"503\"} 1\n",
           "archway_upstream_connect_failures_total{cluster=\"shop/orders/80\"} 1\n",
           "archway_upstream_resets_total{cluster=\"shop/orders/80\"} 1\n",
           "archway_upstream_timeouts_total{cluster=\"shop/orders/80\"} 1\n",
           "archway_upstream_request_duration_seconds_bucket{cluster=\"shop/orders/"
           "80\",le=\"0.005\"} 2\n",
           "archway_upstream_request_duration_seconds_count{cluster=\"shop/orders/80\"} 3\n",
           "archway_upstream_connections_active{cluster=\"shop/orders/80\"} 1\n",
           "# TYPE archway_upstream_request_duration_seconds histogram\n",
       }) {
    EXPECT_TRUE(contains(text, line)) << line;
  }
}

// A sampled request's trace id is its bucket's exemplar, written only
// when asked for (the OpenMetrics scrape); the later one wins a merge.
TEST(Metrics, ExemplarsOnTheDurationBuckets) {
  WorkerStats a, b;
  int route = 0;
  const std::string t1(32, 'a'), t2(32, 'b');
  a.record(&route, "shop/orders", "read", 200, 0.003, t1);
  b.record(&route, "shop/orders", "read", 200, 0.004, t2);
  a.record(&route, "shop/orders", "read", 200, 0.3);  // unsampled: no exemplar
  StatsSnapshot merged;
  merged.merge(a.snapshot());
  merged.merge(b.snapshot());
  const std::string plain = render_prometheus(merged, ProcessGauges{"1", 0, true, false});
  EXPECT_FALSE(contains(plain, "trace_id"));
  const std::string om = render_prometheus(merged, ProcessGauges{"1", 0, true, false}, true);
  EXPECT_TRUE(contains(om,
                       "archway_request_duration_seconds_bucket{route=\"shop/"
                       "orders\",le=\"0.005\"} 2 # {trace_id=\"" +
                           t2 + "\"} 0.004 "));
  EXPECT_FALSE(contains(om, "le=\"0.5\"} 3 #"));
}

// --no-request-metrics: nothing per request or attempt is kept.
TEST(Metrics, RequestMetricsOff) {
  WorkerStats s;
  s.set_request_metrics(false);
  int route = 0, cluster = 0;
  s.record(&route, "r", "x", 200, 0.001, std::string(32, 'a'));
  s.upstream().answered(&cluster, "c", 200, 0.001);
  s.upstream().failed(&cluster, "c", UpstreamFailure::kReset);
  EXPECT_EQ(s.connection_gauge("c"), nullptr);
  const auto snap = s.snapshot();
  EXPECT_TRUE(snap.requests.empty());
  EXPECT_TRUE(snap.durations.empty());
  EXPECT_TRUE(snap.upstream.empty());
}

TEST(Metrics, EscapesLabels) { EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd"); }

}  // namespace
}  // namespace archway::metrics
