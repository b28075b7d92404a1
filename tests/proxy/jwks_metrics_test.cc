// The JWKS fetch metrics as Prometheus text (docs/auth.md "Metrics"), and
// the admin API's GET /jwks body, from fixed inputs.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/admin/admin_server.h"
#include "proxy/server/jwks_metrics.h"

namespace archway {
namespace {

TEST(JwksMetrics, EveryResultIsWrittenAndTheHistogramIsCumulative) {
  identity::JwksFetchStats stats;
  stats.record(identity::JwksFetchResult::kSuccess, std::chrono::milliseconds(3));
  stats.record(identity::JwksFetchResult::kSuccess, std::chrono::milliseconds(30));
  stats.record(identity::JwksFetchResult::kHttpError, std::chrono::seconds(7));
  const std::string text = server::render_jwks_metrics(stats.counts());
  for (const char* line : {
           "# TYPE archway_auth_jwks_fetches_total counter\n",
           "archway_auth_jwks_fetches_total{result=\"success\"} 2\n",
           "archway_auth_jwks_fetches_total{result=\"unreachable\"} 0\n",
           "archway_auth_jwks_fetches_total{result=\"http_error\"} 1\n",
           "archway_auth_jwks_fetches_total{result=\"invalid_jwks\"} 0\n",
           "# TYPE archway_auth_jwks_fetch_duration_seconds histogram\n",
           "archway_auth_jwks_fetch_duration_seconds_bucket{le=\"0.005\"} 1\n",
           "archway_auth_jwks_fetch_duration_seconds_bucket{le=\"0.025\"} 1\n",
           "archway_auth_jwks_fetch_duration_seconds_bucket{le=\"0.05\"} 2\n",
           "archway_auth_jwks_fetch_duration_seconds_bucket{le=\"5\"} 2\n",
           "archway_auth_jwks_fetch_duration_seconds_bucket{le=\"+Inf\"} 3\n",
           "archway_auth_jwks_fetch_duration_seconds_sum 7.03",
           "archway_auth_jwks_fetch_duration_seconds_count 3\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
}

TEST(JwksStatusJson, FailingSourceCarriesItsErrorAndAReadyOneDoesNot) {
  identity::JwksSourceStatus failing;
  failing.uri = "https://id.example/jwks";
  failing.state = identity::JwksSourceStatus::State::kFailing;
  failing.keys = 2;
  failing.error = "the JWKS endpoint answered 503";
  failing.failing_for = std::chrono::seconds(12);
  failing.since_success = std::chrono::seconds(70);
  identity::JwksSourceStatus ready;
  ready.uri = "https://other.example/jwks";
  ready.state = identity::JwksSourceStatus::State::kReady;
  ready.keys = 1;
  ready.since_success = std::chrono::seconds(3);
  const auto body = nlohmann::json::parse(admin::jwks_status_json({failing, ready}));
  ASSERT_EQ(body["sources"].size(), 2u);
  EXPECT_EQ(body["sources"][0],
            nlohmann::json::parse(R"({"uri":"https://id.example/jwks","state":"Failing","keys":2,
              "error":"the JWKS endpoint answered 503","failingForSeconds":12,
              "lastSuccessSecondsAgo":70})"));
  EXPECT_EQ(body["sources"][1],
            nlohmann::json::parse(R"({"uri":"https://other.example/jwks","state":"Ready",
              "keys":1,"lastSuccessSecondsAgo":3})"));
}

}  // namespace
}  // namespace archway
