// kubectl-archway explain on fixed ClusterState fixtures (the compile
// tests' YAML helpers): the winner, its policies in chain order, and why
// each other rule lost.

#include "controller/cli/explain.h"

#include <gtest/gtest.h>

#include <string>

#include "../controller/compile_fixture.h"

namespace archway::controller::cli {
namespace {

using testing::service_yaml;
using testing::state_from_yaml;

std::string services() {
  return service_yaml("blue", "10.0.0.1", "10.1.0.1") +
         service_yaml("green", "10.0.0.2", "10.1.0.2");
}

std::string api_route(const std::string& name, const std::string& hosts, const std::string& rules,
                      const std::string& created = "2026-01-01T00:00:00Z") {
  return "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: " + name +
         ", namespace: ns, generation: 1, creationTimestamp: \"" + created + "\"}\nspec: {" +
         (hosts.empty() ? "" : "hostnames: [" + hosts + "], ") + "rules: [" + rules + "]}\n";
}

std::string rule(const std::string& name, const std::string& match, const std::string& svc) {
  return "{name: " + name + ", matches: [" + match + "], backends: [{name: " + svc +
         ", port: 80}]}";
}

Explanation run(const std::string& objects, ExplainRequest request) {
  compile::CompileOptions options = testing::test_options();
  auto result = explain(state_from_yaml(services() + objects), request, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
  return result.ok() ? *result : Explanation{};
}

ExplainRequest req(const std::string& host, const std::string& path) {
  ExplainRequest r;
  r.host = host;
  r.path = path;
  return r;
}

const Loser* lost(const Explanation& e, const std::string& name, const std::string& rule_name) {
  for (const auto& l : e.losers) {
    if (l.object.name == name && l.rule == rule_name) return &l;
  }
  return nullptr;
}

TEST(Explain, LongerPrefixWinsAndTheShorterIsListed) {
  const auto e =
      run(api_route("shop", "shop.example.com",
                    rule("short", "{path: {type: PathPrefix, value: /api}}", "blue") + ", " +
                        rule("long", "{path: {type: PathPrefix, value: /api/orders}}", "green")),
          req("Shop.Example.com:8080", "/api/orders/7"));
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->object.to_string(), "APIRoute ns/shop");
  EXPECT_EQ(e.winner->rule, "long");
  EXPECT_EQ(e.winner->host, "shop.example.com");
  ASSERT_EQ(e.winner->backends.size(), 1u);
  EXPECT_EQ(e.winner->backends[0].service, "ns/green");
  EXPECT_EQ(e.winner->backends[0].port, "80");
  const Loser* l = lost(e, "shop", "short");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->reason, "shorter prefix (/api loses to /api/orders)");
}

TEST(Explain, ExactBeatsPrefixAndAnotherPathIsNotListed) {
  const auto e =
      run(api_route("shop", "shop.example.com",
                    rule("prefix", "{path: {type: PathPrefix, value: /v1}}", "blue") + ", " +
                        rule("exact", "{path: {type: Exact, value: /v1}}", "green") + ", " +
                        rule("other", "{path: {type: PathPrefix, value: /v2}}", "blue")),
          req("shop.example.com", "/v1"));
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->rule, "exact");
  ASSERT_NE(lost(e, "shop", "prefix"), nullptr);
  EXPECT_EQ(lost(e, "shop", "prefix")->reason,
            "a Exact path beats a PathPrefix path (Exact /v1 over PathPrefix /v1)");
  EXPECT_EQ(lost(e, "shop", "other"), nullptr);
}

TEST(Explain, HeaderQueryAndMethodConditions) {
  const std::string rules =
      rule("canary", "{path: {value: /}, headers: [{name: X-Env, value: canary}]}", "green") +
      ", " + rule("v2", "{path: {value: /}, queryParams: [{name: v, value: \"2\"}]}", "green") +
      ", " + rule("posts", "{path: {value: /}, methods: [POST]}", "green") + ", " +
      rule("base", "{path: {value: /}}", "blue");
  ExplainRequest r = req("shop.example.com", "/x");
  r.headers = {{"X-Env", "canary"}};
  const auto e = run(api_route("shop", "shop.example.com", rules), r);
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->rule, "canary");
  EXPECT_EQ(lost(e, "shop", "base")->reason, "fewer header conditions (0 vs 1)");
  EXPECT_EQ(lost(e, "shop", "v2")->reason, "query parameter v is missing");
  EXPECT_EQ(lost(e, "shop", "posts")->reason, "method GET is not one of POST");

  ExplainRequest other = req("shop.example.com", "/x?v=3");
  other.headers = {{"x-env", "prod"}};
  other.method = "post";
  const auto e2 = run(api_route("shop", "shop.example.com", rules), other);
  ASSERT_TRUE(e2.winner);
  EXPECT_EQ(e2.winner->rule, "posts");
  EXPECT_EQ(lost(e2, "shop", "canary")->reason,
            "header x-env did not match: \"prod\" is not Exact \"canary\"");
  EXPECT_EQ(lost(e2, "shop", "v2")->reason,
            "query parameter v did not match: \"3\" is not Exact \"2\"");
  EXPECT_EQ(lost(e2, "shop", "base")->reason, "no method list (a match that lists methods wins)");
}

TEST(Explain, ExactHostBeatsWildcardAndOtherHostsAreNamed) {
  const std::string objects =
      api_route("exact", "a.example.com", rule("r", "{path: {value: /}}", "blue")) +
      api_route("wild", "\"*.example.com\"", rule("r", "{path: {value: /}}", "green"));
  const auto a = run(objects, req("a.example.com", "/"));
  ASSERT_TRUE(a.winner);
  EXPECT_EQ(a.winner->object.name, "exact");
  ASSERT_NE(lost(a, "wild", "r"), nullptr);
  EXPECT_EQ(lost(a, "wild", "r")->reason,
            "virtual host a.example.com is more specific than *.example.com (the proxy picks the "
            "host first)");
  const auto b = run(objects, req("b.c.example.com", "/"));
  ASSERT_TRUE(b.winner);
  EXPECT_EQ(b.winner->object.name, "wild");  // APIRoute wildcards cover several labels
  EXPECT_EQ(lost(b, "exact", "r")->reason, "other host (a.example.com)");
}

TEST(Explain, IngressAndAPIRouteOnOneHost) {
  const std::string ingress =
      "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: legacy, namespace: "
      "ns, generation: 1, creationTimestamp: \"2025-01-01T00:00:00Z\"}\nspec:\n  "
      "ingressClassName: archway\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n"
      "      - {path: /, pathType: Prefix, backend: {service: {name: blue, port: {number: 80}}}}\n";
  const std::string objects =
      ingress + api_route("api", "shop.example.com",
                          rule("api", "{path: {type: PathPrefix, value: /api}}", "green"));
  const auto api = run(objects, req("shop.example.com", "/api/x"));
  ASSERT_TRUE(api.winner);
  EXPECT_EQ(api.winner->object.to_string(), "APIRoute ns/api");
  ASSERT_NE(lost(api, "legacy", "rule-0-path-0"), nullptr);
  EXPECT_EQ(lost(api, "legacy", "rule-0-path-0")->object.kind, "Ingress");
  EXPECT_EQ(lost(api, "legacy", "rule-0-path-0")->reason, "shorter prefix (/ loses to /api)");
  const auto home = run(objects, req("shop.example.com", "/home"));
  ASSERT_TRUE(home.winner);
  EXPECT_EQ(home.winner->object.to_string(), "Ingress ns/legacy");
  EXPECT_EQ(home.winner->rule, "rule-0-path-0");
}

TEST(Explain, TheYoungerObjectLosesAConflict) {
  const std::string objects =
      api_route("young", "shop.example.com", rule("r", "{path: {value: /}}", "green"),
                "2026-02-01T00:00:00Z") +
      api_route("old", "shop.example.com", rule("r", "{path: {value: /}}", "blue"),
                "2026-01-01T00:00:00Z");
  const auto e = run(objects, req("shop.example.com", "/"));
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->object.name, "old");
  const Loser* l = lost(e, "young", "r");
  ASSERT_NE(l, nullptr);
  EXPECT_NE(l->reason.find("the older object wins a conflict"), std::string::npos) << l->reason;
  EXPECT_NE(l->reason.find("Conflicted"), std::string::npos) << l->reason;
}

TEST(Explain, ARefusedObjectIsListedWithItsReason) {
  const std::string objects =
      api_route("bad", "shop.example.com",
                rule("r", "{path: {type: RegularExpression, value: \"/(unclosed\"}}", "blue")) +
      api_route("good", "shop.example.com", rule("r", "{path: {value: /}}", "green"));
  const auto e = run(objects, req("shop.example.com", "/x"));
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->object.name, "good");
  const Loser* l = lost(e, "bad", "*");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->reason.rfind("Accepted=False: InvalidRegex", 0), 0u) << l->reason;
}

TEST(Explain, NoVirtualHostIsA404) {
  const auto e = run(api_route("shop", "shop.example.com", rule("r", "{path: {value: /}}", "blue")),
                     req("other.example.com", "/"));
  EXPECT_FALSE(e.winner);
  EXPECT_EQ(e.outcome, "404: no virtual host serves other.example.com");
  EXPECT_EQ(lost(e, "shop", "r")->reason, "other host (shop.example.com)");
}

TEST(Explain, PoliciesInTheChainsOrder) {
  const std::string rules =
      "{name: r, cors: {allowOrigins: ['*']}, rateLimit: {requests: 5, period: 1m}, "
      "retries: {attempts: 2}, timeouts: {request: 10s}, requestHeaders: {set: [{name: X-A, "
      "value: b}]}, backends: [{name: blue, port: 80}]}";
  const auto e = run(api_route("shop", "shop.example.com", rules), req("shop.example.com", "/"));
  ASSERT_TRUE(e.winner);
  EXPECT_EQ(e.winner->policies,
            (std::vector<std::string>{"cors", "rateLimit", "requestTransform"}));
  EXPECT_EQ(e.winner->backend_policies,
            (std::vector<std::string>{"timeouts(request=10s)", "retries"}));
}

TEST(Explain, ABadRequestIsAnError) {
  auto result = explain(state_from_yaml(services()), req("", "/"), testing::test_options());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "--host");
}

}  // namespace
}  // namespace archway::controller::cli
