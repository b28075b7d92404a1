#include <gtest/gtest.h>

#include "proxy/metrics/openmetrics.h"

namespace archway::metrics {
namespace {

TEST(OpenMetrics, NegotiatesByAccept) {
  struct Case {
    const char* accept;
    bool openmetrics;
  };
  const Case cases[] = {
      {"", false},
      {"*/*", false},
      {"text/plain", false},
      {"application/openmetrics-text", true},
      // Prometheus 2.x with exemplar storage on:
      {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
       "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
       true},
      // ... and without:
      {"text/plain;version=0.0.4;q=1,*/*;q=0.1", false},
      {"text/plain;q=0.9, application/openmetrics-text;q=0.5", false},
      {"Application/OpenMetrics-Text; q=1.0", true},
      {"application/openmetrics-text;q=0", false},
      {"application/openmetrics-text;q=2", false},  // malformed q: not acceptable
      {"application/openmetrics-text;q=0.5, */*;q=0.5", true},
  };
  for (const auto& c : cases) EXPECT_EQ(wants_openmetrics(c.accept), c.openmetrics) << c.accept;
}

TEST(OpenMetrics, CounterFamiliesLoseTotalAndTheTextEnds) {
  const std::string in =
      "# HELP archway_requests_total Requests.\n"
      "# TYPE archway_requests_total counter\n"
      "archway_requests_total{code=\"200\"} 3\n"
      "# HELP archway_ready Ready.\n"
      "# TYPE archway_ready gauge\n"
      "archway_ready 1\n"
      "# HELP archway_d_seconds D.\n"
      "# TYPE archway_d_seconds histogram\n"
      "archway_d_seconds_bucket{le=\"+Inf\"} 1 # {trace_id=\"ab\"} 0.5 1.000\n"
      "archway_d_seconds_sum 0.5\n"
      "archway_d_seconds_count 1\n";
  EXPECT_EQ(to_openmetrics(in),
            "# HELP archway_requests Requests.\n"
            "# TYPE archway_requests counter\n"
            "archway_requests_total{code=\"200\"} 3\n"
            "# HELP archway_ready Ready.\n"
            "# TYPE archway_ready gauge\n"
            "archway_ready 1\n"
            "# HELP archway_d_seconds D.\n"
            "# TYPE archway_d_seconds histogram\n"
            "archway_d_seconds_bucket{le=\"+Inf\"} 1 # {trace_id=\"ab\"} 0.5 1.000\n"
            "archway_d_seconds_sum 0.5\n"
            "archway_d_seconds_count 1\n"
            "# EOF\n");
}

}  // namespace
}  // namespace archway::metrics
