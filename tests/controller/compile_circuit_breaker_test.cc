// An APIRoute's `circuitBreaker` through compile: the proxy enforces it
// now (docs/resilience.md), as it does retries, so the route is accepted
// with no "not enforced" note, and every field reaches the snapshot's route.
#include <gtest/gtest.h>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

const std::string kAppAndRoute = testing::service_yaml("app", "10.96.0.1", "10.0.0.1") + R"(
---
apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: r, namespace: ns, generation: 1, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  rules:
  - backends: [{name: app, port: 80}]
    retries: {attempts: 2}
    circuitBreaker: {maxConnections: 8, maxPendingRequests: 4, maxRequests: 2,
                     consecutive5xx: 3, baseEjectionTime: 10s, maxEjectionPercent: 50}
)";

TEST(CompileCircuitBreaker, IsEnforcedAndReachesTheSnapshot) {
  const auto r =
      compile::compile(testing::state_from_yaml(kAppAndRoute), testing::test_options(), {});
  const compile::ObjectVerdict* verdict = testing::find_verdict(r, "APIRoute", "r");
  ASSERT_NE(verdict, nullptr);
  EXPECT_TRUE(verdict->accepted);
  EXPECT_EQ(verdict->accepted_message.find("circuitBreaker"), std::string::npos)
      << verdict->accepted_message;
  // retries is enforced too (issue 17 item 2): nothing is "not enforced".
  EXPECT_EQ(verdict->accepted_message.find("not enforced"), std::string::npos)
      << verdict->accepted_message;
  ASSERT_FALSE(r.snapshot.virtual_hosts.empty());
  const auto& breaker = r.snapshot.virtual_hosts.at(0).routes.at(0).policies.circuit_breaker;
  ASSERT_TRUE(breaker.has_value());
  EXPECT_EQ(breaker->max_connections, 8u);
  EXPECT_EQ(breaker->max_pending_requests, 4u);
  EXPECT_EQ(breaker->max_requests, 2u);
  EXPECT_EQ(breaker->consecutive_5xx, 3u);
  EXPECT_EQ(breaker->base_ejection_time, std::chrono::milliseconds(10000));
  EXPECT_EQ(breaker->max_ejection_percent, 50u);
}

}  // namespace
}  // namespace archway::controller
