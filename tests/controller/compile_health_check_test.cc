// An APIRoute rule's healthCheck through the rule translation: decoded by
// the proxy's own codec, rejected with Accepted=False naming the field (and
// UnsupportedValue for a backend the probes cannot speak to), and placed on
// a cluster of the rule's own (tests/testdata/controller/
// apiroute_health_check.* shows the whole snapshot).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/compile/api_route_rule.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller::compile {
namespace {

using controller::testing::state_from_yaml;
using controller::testing::yaml_to_json;

nlohmann::json yaml(const std::string& text) { return yaml_to_json(YAML::Load(text)); }

const std::string kCluster = R"(
kind: Service
metadata: {name: app, namespace: ns}
spec: {ports: [{name: web, port: 80}]}
)";

const PolicyEnforced kAll = [](std::string_view) { return true; };

TEST(CompileHealthCheck, InvalidValuesAreRejectedNamingTheField) {
  const auto state = state_from_yaml(kCluster);
  struct Case {
    std::string rule;
    Reason reason;
    std::string message;
  } cases[] = {
      {"{backends: [{name: app, port: 80}], healthCheck: {interval: 5s}}", Reason::kInvalidValue,
       "spec.rules[0].healthCheck.path: is required"},
      {"{backends: [{name: app, port: 80}], healthCheck: {path: healthz}}", Reason::kInvalidValue,
       "spec.rules[0].healthCheck.path: must be an absolute path"},
      {"{backends: [{name: app, port: 80}], healthCheck: {path: /h, interval: 50ms}}",
       Reason::kInvalidValue, "spec.rules[0].healthCheck.interval: must be between 100ms and 1h"},
      {"{backends: [{name: app, port: 80}], healthCheck: {path: /h, interval: 1s, timeout: 2s}}",
       Reason::kInvalidValue, "spec.rules[0].healthCheck.timeout: must be shorter than interval"},
      {"{backends: [{name: app, port: 80}], healthCheck: {path: /h, unhealthyThreshold: 0}}",
       Reason::kInvalidValue,
       "spec.rules[0].healthCheck.unhealthyThreshold: must be between 1 and 100"},
      {"{backends: [{name: app, port: 80, protocol: HTTPS}], healthCheck: {path: /h}}",
       Reason::kUnsupportedValue,
       "spec.rules[0].healthCheck: health checks probe over cleartext HTTP/1.1 only for now, "
       "and spec.rules[0].backends[0] uses protocol HTTPS"},
      {"{backends: [{name: app, port: 80, protocol: H2C}], healthCheck: {path: /h}}",
       Reason::kUnsupportedValue,
       "spec.rules[0].healthCheck: health checks probe over cleartext HTTP/1.1 only for now, "
       "and spec.rules[0].backends[0] uses protocol H2C"},
      {"{aggregate: {parts: [{name: a, backend: {name: app, port: 80}, path: /a}]}, "
       "healthCheck: {path: /h}}",
       Reason::kInvalidValue,
       "spec.rules[0].healthCheck: applies to backends; an aggregate's parts are not health "
       "checked"},
  };
  for (const auto& c : cases) {
    auto rule = translate_rule(yaml(c.rule), "spec.rules[0]", {"ns", "r"}, state, kAll);
    ASSERT_FALSE(rule.ok()) << c.rule;
    EXPECT_EQ(rule.error().reason, c.reason) << c.rule;
    EXPECT_EQ(rule.error().message, c.message);
  }
}

TEST(CompileHealthCheck, ACheckGetsAClusterOfItsOwn) {
  const auto state = state_from_yaml(kCluster);
  auto checked = translate_rule(
      yaml("{backends: [{name: app, port: 80}], healthCheck: {path: /healthz, interval: 5s}}"),
      "spec.rules[0]", {"ns", "r"}, state, kAll);
  auto other = translate_rule(
      yaml("{backends: [{name: app, port: 80}], healthCheck: {path: /ready, interval: 5s}}"),
      "spec.rules[0]", {"ns", "r"}, state, kAll);
  auto both = translate_rule(yaml("{backends: [{name: app, port: 80}], loadBalancer: {policy: "
                                  "RoundRobin}, healthCheck: {path: /healthz, interval: 5s}}"),
                             "spec.rules[0]", {"ns", "r"}, state, kAll);
  ASSERT_TRUE(checked.ok() && other.ok() && both.ok());
  const auto& c = checked->clusters.at(0);
  EXPECT_TRUE(c.name.starts_with("ns/app/80/hc-")) << c.name;
  ASSERT_TRUE(c.health_check.has_value());
  EXPECT_EQ(c.health_check->path, "/healthz");
  EXPECT_EQ(c.health_check->interval, std::chrono::milliseconds(5000));
  EXPECT_EQ(checked->route.backends.at(0).cluster, c.name);
  EXPECT_NE(other->clusters.at(0).name, c.name);
  // With a balancing policy: both tags, the health check's last.
  const auto& b = both->clusters.at(0);
  EXPECT_TRUE(b.name.starts_with("ns/app/80/lb-")) << b.name;
  EXPECT_TRUE(b.name.ends_with(c.name.substr(c.name.rfind('/')))) << b.name;
  EXPECT_TRUE(b.load_balancer.has_value() && b.health_check.has_value());
  // The same check, spelled the same: the same cluster, in every replica.
  auto again = translate_rule(
      yaml("{backends: [{name: app, port: 80}], healthCheck: {interval: 5s, path: /healthz}}"),
      "spec.rules[0]", {"ns", "r"}, state, kAll);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->clusters.at(0).name, c.name);
}

TEST(CompileHealthCheck, ARulesValueReplacesTheDefaultsWhole) {
  const auto merged = merge_defaults(yaml("{healthCheck: {path: /a, interval: 5s}}"),
                                     yaml("{healthCheck: {path: /b}}"));
  EXPECT_EQ(merged["healthCheck"], yaml("{path: /b}"));
}

}  // namespace
}  // namespace archway::controller::compile
