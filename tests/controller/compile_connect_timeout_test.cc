// An APIRoute rule's `timeouts.connect` through compile: it is the
// connectTimeout of the clusters the rule sends to; a cluster shared by
// several rules (of one object or of several) gets the shortest; a cluster
// no rule sets one for keeps the proxy's default; `0s` is refused.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

using std::chrono::milliseconds;

std::string route(const std::string& name, const std::string& rules) {
  return R"(
---
apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: )" +
         name + R"(, namespace: ns, generation: 1, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  hostnames: [)" +
         name + R"(.example]
  rules:
)" + rules;
}

const config::Cluster* cluster_of(const compile::CompileResult& r, const std::string& service) {
  for (const auto& c : r.snapshot.clusters) {
    if (c.name.find("/" + service + "/") != std::string::npos) return &c;
  }
  return nullptr;
}

TEST(CompileConnectTimeout, TheShortestOfTheRulesThatSendToTheCluster) {
  const std::string yaml = testing::service_yaml("app", "10.96.0.1", "10.0.0.1") +
                           testing::service_yaml("other", "10.96.0.2", "10.0.0.2") +
                           testing::service_yaml("plain", "10.96.0.3", "10.0.0.3") +
                           route("a", R"(  - matches: [{path: {type: PathPrefix, value: /x}}]
    backends: [{name: app, port: 80}]
    timeouts: {connect: 750ms}
  - matches: [{path: {type: PathPrefix, value: /y}}]
    backends: [{name: app, port: 80}, {name: other, port: 80}]
    timeouts: {connect: 300ms}
  - backends: [{name: plain, port: 80}]
)") + route("b", R"(  - backends: [{name: other, port: 80}]
    timeouts: {connect: 100ms}
)");
  const auto r = compile::compile(testing::state_from_yaml(yaml), testing::test_options(), {});
  for (const char* name : {"a", "b"}) {
    const auto* verdict = testing::find_verdict(r, "APIRoute", name);
    ASSERT_NE(verdict, nullptr);
    EXPECT_TRUE(verdict->accepted) << name << ": " << verdict->accepted_message;
  }
  const auto* app = cluster_of(r, "app");
  const auto* other = cluster_of(r, "other");
  const auto* plain = cluster_of(r, "plain");
  ASSERT_TRUE(app && other && plain);
  EXPECT_EQ(app->connect_timeout, milliseconds(300));    // 750ms and 300ms in one object
  EXPECT_EQ(other->connect_timeout, milliseconds(100));  // 300ms here, 100ms in route b
  EXPECT_EQ(plain->connect_timeout, config::Cluster{}.connect_timeout);
}

TEST(CompileConnectTimeout, ZeroIsRefusedAndOthersStillServe) {
  const std::string yaml = testing::service_yaml("app", "10.96.0.1", "10.0.0.1") +
                           route("bad", R"(  - backends: [{name: app, port: 80}]
    timeouts: {connect: 0s}
)") + route("good", R"(  - backends: [{name: app, port: 80}]
)");
  const auto r = compile::compile(testing::state_from_yaml(yaml), testing::test_options(), {});
  const auto* bad = testing::find_verdict(r, "APIRoute", "bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->accepted);
  EXPECT_NE(bad->accepted_message.find("spec.rules[0].timeouts.connect: must be greater than 0s"),
            std::string::npos)
      << bad->accepted_message;
  const auto* good = testing::find_verdict(r, "APIRoute", "good");
  ASSERT_NE(good, nullptr);
  EXPECT_TRUE(good->accepted);
}

}  // namespace
}  // namespace archway::controller
