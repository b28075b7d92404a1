// The circuit-breaker and outlier metrics' text (docs/resilience.md
// "Metrics"): every limit of a cluster with state, zeros included, labels
// escaped.
#include "proxy/server/resilience_metrics.h"

#include <gtest/gtest.h>

namespace archway::server {
namespace {

TEST(ResilienceMetrics, EveryLimitOfEachClusterAndItsEjections) {
  resilience::ClusterStates::Report orders;
  orders.cluster = "shop/orders/80";
  orders.overflows = {0, 1, 3};
  orders.ejections = 2;
  orders.ejected_now = 1;
  const std::string text = render_resilience_metrics({orders});
  for (const char* line : {
           "# TYPE archway_circuit_breaker_overflows_total counter\n",
           "archway_circuit_breaker_overflows_total{cluster=\"shop/orders/80\","
           "limit=\"maxConnections\"} 0\n",
           "archway_circuit_breaker_overflows_total{cluster=\"shop/orders/80\","
           "limit=\"maxPendingRequests\"} 1\n",
           "archway_circuit_breaker_overflows_total{cluster=\"shop/orders/80\","
           "limit=\"maxRequests\"} 3\n",
           "archway_outlier_ejections_total{cluster=\"shop/orders/80\"} 2\n",
           "# TYPE archway_outlier_ejected_endpoints gauge\n",
           "archway_outlier_ejected_endpoints{cluster=\"shop/orders/80\"} 1\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
}

TEST(ResilienceMetrics, EscapesClusterNamesAndIsEmptyWithoutClusters) {
  EXPECT_EQ(render_resilience_metrics({}), "");
  resilience::ClusterStates::Report odd;
  odd.cluster = "a\"b";
  EXPECT_NE(render_resilience_metrics({odd}).find("cluster=\"a\\\"b\""), std::string::npos);
}

}  // namespace
}  // namespace archway::server
