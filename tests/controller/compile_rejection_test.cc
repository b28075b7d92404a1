// The compile's steps answer Result<T, Problem>: the output, or a typed
// Reason with a message naming the field (controller/compile/translated.h).
// These call each step directly and assert the enum; compile_test.cc checks
// the same verdicts as users read them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/compile/api_route_rule.h"
#include "controller/compile/backend_resolver.h"
#include "controller/compile/object_translate.h"
#include "controller/compile/tls_secret.h"
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
---
kind: Service
metadata: {name: outside, namespace: ns}
spec: {type: ExternalName, externalName: example.com, ports: [{port: 80}]}
---
kind: Secret
metadata: {name: opaque, namespace: ns}
type: Opaque
data: {a: Yg==}
)";

struct RuleCase {
  std::string name;
  std::string rule;
  Reason reason;
  std::string message_start;
};

TEST(CompileRejection, ARejectedRuleCarriesItsReasonAndTheField) {
  const std::vector<RuleCase> cases = {
      {"regex path",
       "{matches: [{path: {type: RegularExpression, value: '(a'}}], backends: [{name: app, "
       "port: 80}]}",
       Reason::kInvalidRegex, "spec.rules[0].matches[0].path.value: invalid regular expression"},
      {"unsupported path type",
       "{matches: [{path: {type: Glob, value: /a}}], backends: [{name: app, port: 80}]}",
       Reason::kUnsupportedValue, "spec.rules[0].matches[0].path.type: unsupported value"},
      {"template",
       "{matches: [{path: {type: Template, value: '/a/{1x}'}}], backends: [{name: app, "
       "port: 80}]}",
       Reason::kInvalidTemplate, "spec.rules[0].matches[0].path.value: invalid template"},
      {"two actions", "{directResponse: {status: 200}, backends: [{name: app, port: 80}]}",
       Reason::kInvalidValue, "spec.rules[0]: exactly one of backends"},
      {"auth is not enforced yet",
       "{auth: {apiKey: {header: X-Api-Key, secretRef: {name: keys}}}, backends: [{name: app, "
       "port: 80}]}",
       Reason::kPolicyNotEnforced, "spec.rules[0].auth: authentication is not enforced"},
      {"the first problem wins",
       "{matches: [{path: {type: RegularExpression, value: '(a'}}], redirect: {statusCode: 200}}",
       Reason::kInvalidRegex, "spec.rules[0].matches[0].path.value"},
  };
  const ClusterState state = state_from_yaml(kCluster);
  // A proxy that enforces no auth method, pinned so that "auth is not
  // enforced yet" keeps its meaning as the methods land.
  const PolicyEnforced no_auth = [](std::string_view policy) { return policy == "cors"; };
  for (const auto& c : cases) {
    auto rule = translate_rule(yaml(c.rule), "spec.rules[0]", {"ns", "r"}, state, no_auth);
    ASSERT_FALSE(rule.ok()) << c.name;
    EXPECT_EQ(rule.error().reason, c.reason) << c.name << ": " << reason_name(rule.error().reason);
    EXPECT_TRUE(rule.error().message.starts_with(c.message_start))
        << c.name << ": " << rule.error().message;
  }
}

// The proxy enforces every policy today; a proxy that did not enforce
// retries (pinned here) makes the rule carry a note naming it.
TEST(CompileRejection, AnAcceptedRuleCarriesItsNotesAndDanglingReferences) {
  const ClusterState state = state_from_yaml(kCluster);
  const auto without_retries = [](std::string_view policy) { return policy != "retries"; };
  const auto spec =
      yaml("{retries: {attempts: 2}, backends: [{name: app, port: 80}, {name: ghost, port: 80}]}");
  auto rule = translate_rule(spec, "spec.rules[1]", {"ns", "r"}, state, without_retries);
  ASSERT_TRUE(rule.ok()) << rule.error().message;
  EXPECT_EQ(rule->unenforced, std::vector<std::string>{"spec.rules[1].retries"});
  auto enforced = translate_rule(spec, "spec.rules[1]", {"ns", "r"}, state);
  ASSERT_TRUE(enforced.ok()) << enforced.error().message;
  EXPECT_TRUE(enforced->unenforced.empty()) << enforced->unenforced.front();
  ASSERT_EQ(rule->unresolved.size(), 1u);
  EXPECT_EQ(rule->unresolved[0].reason, Reason::kBackendNotFound);
  EXPECT_EQ(rule->unresolved[0].message, "spec.rules[1].backends[1]: Service ns/ghost not found");
  EXPECT_EQ(rule->clusters.size(), 2u);
}

TEST(CompileRejection, ACacheRuleIsNotListedAsUnenforced) {
  const ClusterState state = state_from_yaml(kCluster);
  auto rule = translate_rule(yaml("{cache: {ttl: 10s}, backends: [{name: app, port: 80}]}"),
                             "spec.rules[0]", {"ns", "r"}, state);
  ASSERT_TRUE(rule.ok()) << rule.error().message;
  EXPECT_TRUE(rule->unenforced.empty()) << rule->unenforced.front();
  ASSERT_TRUE(rule->route.policies.cache.has_value());
}

TEST(CompileRejection, ObjectsAreRejectedWithAReason) {
  const ClusterState state = state_from_yaml(kCluster);
  auto route = translate_api_route(yaml("{metadata: {name: r, namespace: ns}, spec: {rules: []}}"),
                                   state, {});
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().reason, Reason::kInvalidValue);
  EXPECT_EQ(route.error().message, "spec.rules: at least one rule is required");

  auto ingress = translate_ingress(
      yaml("{metadata: {name: i, namespace: ns}, spec: {rules: [{http: {paths: [{path: /, "
           "pathType: Glob, backend: {service: {name: app, port: {number: 80}}}}]}}]}}"),
      state, {});
  ASSERT_FALSE(ingress.ok());
  EXPECT_EQ(ingress.error().reason, Reason::kUnsupportedValue);
  EXPECT_EQ(ingress.error().message,
            "spec.rules[0].http.paths[0].pathType: unsupported value \"Glob\"");
}

TEST(CompileRejection, ReferencesThatDangleSayWhy) {
  const ClusterState state = state_from_yaml(kCluster);
  auto missing = load_tls_secret(state, "ns", "ns", "gone");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().reason, Reason::kSecretNotFound);
  auto opaque = load_tls_secret(state, "ns", "ns", "opaque");
  ASSERT_FALSE(opaque.ok());
  EXPECT_EQ(opaque.error().reason, Reason::kInvalidSecret);
  EXPECT_EQ(opaque.error().message, "Secret ns/opaque is not of type kubernetes.io/tls");

  auto ghost = resolve_backend(state, {"ns", "ghost", 80, {}, {}, {}});
  ASSERT_TRUE(ghost.problem);
  EXPECT_EQ(ghost.problem->reason, Reason::kBackendNotFound);
  auto outside = resolve_backend(state, {"ns", "outside", 80, {}, {}, {}});
  ASSERT_TRUE(outside.problem);
  EXPECT_EQ(outside.problem->reason, Reason::kUnsupportedValue);
  EXPECT_FALSE(resolve_backend(state, {"ns", "app", 80, {}, {}, {}}).problem);
}

}  // namespace
}  // namespace archway::controller::compile
