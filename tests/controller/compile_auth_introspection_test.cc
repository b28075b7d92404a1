// An APIRoute's auth.oauth2Introspection audiences, forwardClaims and
// staleGracePeriod through compile: the CRD's fields reach the snapshot as
// the proxy reads them, a bad one is refused naming the field, and the CRD
// declares them with JWT's shapes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

using compile::CompileResult;
using compile::reason_name;

const std::string kCluster = R"(
kind: Service
metadata: {name: app, namespace: ns}
spec: {clusterIP: 10.96.0.1, ports: [{name: web, port: 80}]}
---
kind: Secret
metadata: {name: intro, namespace: ns}
type: Opaque
data: {client-id: Z2F0ZXdheQ==, client-secret: czNjcjN0}
)";

CompileResult run(const std::string& extra) {
  const std::string route =
      "---\nkind: APIRoute\nmetadata: {name: r, namespace: ns, generation: 1, "
      "creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: {hostnames: [api.example.com], "
      "rules: [{name: guarded, matches: [{path: {value: /private}}], auth: "
      "{oauth2Introspection: {endpoint: 'https://id.example.com/i', clientSecretRef: {name: "
      "intro}, " +
      extra + "}}, backends: [{name: app, port: 80}]}]}\n";
  compile::CompileOptions options = testing::test_options();
  options.policy_enforced = [](std::string_view) { return true; };
  options.check_snapshot = [](const config::Snapshot&) -> Result<void> { return {}; };
  return compile::compile(testing::state_from_yaml(kCluster + route), options, {});
}

const config::OAuth2Introspection* introspection(const CompileResult& r) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    for (const auto& route : vh.routes) {
      if (route.rule_name == "guarded" && route.policies.auth &&
          route.policies.auth->oauth2_introspection) {
        return &*route.policies.auth->oauth2_introspection;
      }
    }
  }
  return nullptr;
}

TEST(CompileAuthIntrospection, TheCrdFieldsReachTheSnapshot) {
  const CompileResult r =
      run("audiences: [orders, web], forwardClaims: [{claim: sub, header: X-User}], "
          "staleGracePeriod: 2m");
  const config::OAuth2Introspection* o = introspection(r);
  ASSERT_NE(o, nullptr) << r.verdicts.front().accepted_message;
  EXPECT_EQ(o->audiences, (std::vector<std::string>{"orders", "web"}));
  EXPECT_EQ(o->forward_claims, (std::vector<config::ForwardClaim>{{"sub", "x-user"}}));
  EXPECT_EQ(o->stale_grace_period, std::chrono::minutes(2));

  const CompileResult plain = run("cacheTTL: 10s");
  ASSERT_NE(introspection(plain), nullptr);
  EXPECT_TRUE(introspection(plain)->audiences.empty());
  EXPECT_EQ(introspection(plain)->stale_grace_period.count(), 0);
}

TEST(CompileAuthIntrospection, ABadFieldIsInvalidNamingIt) {
  const CompileResult r =
      run("forwardClaims: [{claim: sub, header: x-u}, {claim: iss, header: X-U}]");
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_FALSE(r.verdicts.front().accepted);
  EXPECT_EQ(reason_name(r.verdicts.front().accepted_reason), "InvalidValue");
  EXPECT_NE(r.verdicts.front().accepted_message.find(
                "spec.rules[0].auth.oauth2Introspection.forwardClaims[1].header"),
            std::string::npos)
      << r.verdicts.front().accepted_message;
  EXPECT_EQ(introspection(r), nullptr);
}

TEST(CompileAuthIntrospection, TheCrdDeclaresTheFieldsWithJwtsShapes) {
  const YAML::Node crd =
      YAML::LoadFile(std::string(ARCHWAY_TESTDATA) + "/../../crds/apiroutes.archway.dev.yaml");
  const YAML::Node auth = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
                             ["spec"]["properties"]["rules"]["items"]["properties"]["auth"];
  const YAML::Node jwt = auth["properties"]["jwt"]["properties"];
  const YAML::Node o = auth["properties"]["oauth2Introspection"]["properties"];
  EXPECT_EQ(YAML::Dump(o["forwardClaims"]), YAML::Dump(jwt["forwardClaims"]));
  EXPECT_EQ(YAML::Dump(o["audiences"]["items"]), YAML::Dump(jwt["audiences"]["items"]));
  EXPECT_FALSE(o["audiences"]["minItems"].IsDefined());  // optional here
  EXPECT_EQ(o["staleGracePeriod"]["default"].as<std::string>(), "0s");
}

}  // namespace
}  // namespace archway::controller
