// An APIRoute's auth.{jwt,oauth2Introspection}.tokenSource through compile:
// the CRD's field reaches the snapshot as the proxy reads it, two sources
// are refused naming the field, and the CRD declares the field (with its
// one-of rule) for both methods.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

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

std::string route_with_auth(const std::string& auth) {
  return "---\nkind: APIRoute\nmetadata: {name: r, namespace: ns, generation: 1, "
         "creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: {hostnames: [api.example.com], "
         "rules: [{name: guarded, matches: [{path: {value: /private}}], auth: " +
         auth + ", backends: [{name: app, port: 80}]}]}\n";
}

CompileResult run(const std::string& auth) {
  compile::CompileOptions options = testing::test_options();
  options.policy_enforced = [](std::string_view) { return true; };
  options.check_snapshot = [](const config::Snapshot&) -> Result<void> { return {}; };
  return compile::compile(testing::state_from_yaml(kCluster + route_with_auth(auth)), options, {});
}

const config::Auth* guarded_auth(const CompileResult& r) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    for (const auto& route : vh.routes) {
      if (route.rule_name == "guarded" && route.policies.auth) return &*route.policies.auth;
    }
  }
  return nullptr;
}

TEST(CompileAuthTokenSource, TheCrdFieldReachesTheSnapshotForBothMethods) {
  using Kind = config::TokenSource::Kind;
  const CompileResult jwt =
      run("{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks', "
          "tokenSource: {cookie: session}}}");
  const config::Auth* auth = guarded_auth(jwt);
  ASSERT_TRUE(auth && auth->jwt) << jwt.verdicts.front().accepted_message;
  EXPECT_EQ(auth->jwt->token_source, (config::TokenSource{Kind::kCookie, "session"}));

  const CompileResult header =
      run("{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks', "
          "tokenSource: {header: X-Access-Token}}}");
  ASSERT_TRUE(guarded_auth(header) && guarded_auth(header)->jwt);
  EXPECT_EQ(guarded_auth(header)->jwt->token_source,
            (config::TokenSource{Kind::kHeader, "x-access-token"}));

  const CompileResult introspection =
      run("{oauth2Introspection: {endpoint: 'https://id.example.com/i', "
          "clientSecretRef: {name: intro}, tokenSource: {queryParameter: access_token}}}");
  auth = guarded_auth(introspection);
  ASSERT_TRUE(auth && auth->oauth2_introspection)
      << introspection.verdicts.front().resolved_message;
  EXPECT_EQ(auth->oauth2_introspection->token_source,
            (config::TokenSource{Kind::kQueryParameter, "access_token"}));

  const CompileResult plain =
      run("{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks'}}");
  ASSERT_TRUE(guarded_auth(plain) && guarded_auth(plain)->jwt);
  EXPECT_EQ(guarded_auth(plain)->jwt->token_source.kind, Kind::kAuthorization);
}

TEST(CompileAuthTokenSource, TwoSourcesAreInvalidNamingTheField) {
  const CompileResult r =
      run("{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks', "
          "tokenSource: {header: x-token, queryParameter: access_token}}}");
  ASSERT_EQ(r.verdicts.size(), 1u);
  EXPECT_FALSE(r.verdicts.front().accepted);
  EXPECT_EQ(reason_name(r.verdicts.front().accepted_reason), "InvalidValue");
  EXPECT_NE(r.verdicts.front().accepted_message.find("spec.rules[0].auth.jwt.tokenSource"),
            std::string::npos)
      << r.verdicts.front().accepted_message;
  EXPECT_EQ(guarded_auth(r), nullptr);
}

TEST(CompileAuthTokenSource, TheCrdDeclaresItWithItsOneOfRuleForBothMethods) {
  const YAML::Node crd =
      YAML::LoadFile(std::string(ARCHWAY_TESTDATA) + "/../../crds/apiroutes.archway.dev.yaml");
  const YAML::Node auth = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
                             ["spec"]["properties"]["rules"]["items"]["properties"]["auth"];
  for (const char* method : {"jwt", "oauth2Introspection"}) {
    SCOPED_TRACE(method);
    const YAML::Node source = auth["properties"][method]["properties"]["tokenSource"];
    ASSERT_TRUE(source.IsMap());
    for (const char* field : {"header", "cookie", "queryParameter"}) {
      EXPECT_TRUE(source["properties"][field].IsMap()) << field;
    }
    ASSERT_TRUE(source["x-kubernetes-validations"].IsSequence());
    EXPECT_NE(source["x-kubernetes-validations"][0]["rule"].as<std::string>().find("== 1"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace archway::controller
