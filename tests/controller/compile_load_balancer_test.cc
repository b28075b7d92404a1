// An APIRoute rule's loadBalancer through the rule translation: decoded by
// the proxy's own codec (one set of rules on both sides), rejected with
// Accepted=False / InvalidValue naming the field, and placed on a cluster of
// the rule's own (tests/testdata/controller/apiroute_balancing.* shows the
// whole snapshot).
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

TEST(CompileLoadBalancer, InvalidValuesAreRejectedNamingTheField) {
  const auto state = state_from_yaml(kCluster);
  struct Case {
    std::string rule;
    std::string message;
  } cases[] = {
      {"{backends: [{name: app, port: 80}], loadBalancer: {policy: ConsistentHash}}",
       "spec.rules[0].loadBalancer.hashOn: is required with policy ConsistentHash"},
      {"{backends: [{name: app, port: 80}], loadBalancer: {policy: Random}}",
       "spec.rules[0].loadBalancer.policy: must be one of LeastRequest, RoundRobin, "
       "ConsistentHash"},
      {"{backends: [{name: app, port: 80}], loadBalancer: {policy: RoundRobin, hashOn: "
       "{header: x}}}",
       "spec.rules[0].loadBalancer.hashOn: only valid with policy ConsistentHash"},
      {"{backends: [{name: app, port: 80}], loadBalancer: {policy: ConsistentHash, hashOn: "
       "{cookie: {name: lb, path: '/a;b'}}}}",
       "spec.rules[0].loadBalancer.hashOn.cookie.path: must not contain whitespace, control "
       "characters, ';' or ','"},
      {"{aggregate: {parts: [{name: a, backend: {name: app, port: 80}, path: /a}]}, "
       "loadBalancer: {policy: RoundRobin}}",
       "spec.rules[0].loadBalancer: applies to backends; an aggregate's parts are balanced "
       "round robin"},
  };
  for (const auto& c : cases) {
    auto rule = translate_rule(yaml(c.rule), "spec.rules[0]", {"ns", "r"}, state, kAll);
    ASSERT_FALSE(rule.ok()) << c.rule;
    EXPECT_EQ(rule.error().reason, Reason::kInvalidValue) << c.rule;
    EXPECT_EQ(rule.error().message, c.message);
  }
}

TEST(CompileLoadBalancer, APolicyGetsAClusterOfItsOwn) {
  const auto state = state_from_yaml(kCluster);
  auto plain = translate_rule(yaml("{backends: [{name: app, port: 80}]}"), "spec.rules[0]",
                              {"ns", "r"}, state, kAll);
  auto least = translate_rule(
      yaml("{backends: [{name: app, port: 80}], loadBalancer: {policy: LeastRequest}}"),
      "spec.rules[0]", {"ns", "r"}, state, kAll);
  auto hashed = translate_rule(yaml("{backends: [{name: app, port: 80}], loadBalancer: "
                                    "{policy: ConsistentHash, hashOn: {header: X-User}}}"),
                               "spec.rules[0]", {"ns", "r"}, state, kAll);
  auto turns = translate_rule(
      yaml("{backends: [{name: app, port: 80}], loadBalancer: {policy: RoundRobin}}"),
      "spec.rules[0]", {"ns", "r"}, state, kAll);
  ASSERT_TRUE(plain.ok() && least.ok() && hashed.ok() && turns.ok());
  // The default, spelled out or not, shares the Service port's cluster.
  EXPECT_EQ(plain->clusters.at(0).name, "ns/app/80");
  EXPECT_EQ(least->clusters.at(0).name, "ns/app/80");
  EXPECT_FALSE(least->clusters.at(0).load_balancer.has_value());
  // Another policy: a cluster of its own, carrying it, named stably.
  const auto& h = hashed->clusters.at(0);
  EXPECT_TRUE(h.name.starts_with("ns/app/80/lb-")) << h.name;
  ASSERT_TRUE(h.load_balancer.has_value());
  EXPECT_EQ(h.load_balancer->hash_on->header, "x-user");
  EXPECT_EQ(hashed->route.backends.at(0).cluster, h.name);
  EXPECT_NE(turns->clusters.at(0).name, h.name);
  auto again = translate_rule(yaml("{backends: [{name: app, port: 80}], loadBalancer: "
                                   "{policy: ConsistentHash, hashOn: {header: x-user}}}"),
                              "spec.rules[0]", {"ns", "r"}, state, kAll);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->clusters.at(0).name, h.name);
}

TEST(CompileLoadBalancer, ARulesValueReplacesTheDefaultsWhole) {
  const auto merged =
      merge_defaults(yaml("{loadBalancer: {policy: ConsistentHash, hashOn: {header: x}}}"),
                     yaml("{loadBalancer: {policy: RoundRobin}}"));
  EXPECT_EQ(merged["loadBalancer"], yaml("{policy: RoundRobin}"));
}

}  // namespace
}  // namespace archway::controller::compile
