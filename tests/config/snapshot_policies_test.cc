// Typed policies inside a whole snapshot: error paths name the route, the
// proxy refuses what it would otherwise serve without enforcing (auth,
// aggregate), and everything else round-trips through to_json.

#include <gtest/gtest.h>

#include "proxy/config/json_decoder.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

// One virtual host with two routes to cluster "orders"; `policies` goes on
// the second route (routes[1]).
Json snapshot_with(const Json& policies,
                   const Json& action = {{"backends", {{{"cluster", "orders"}}}}}) {
  Json second = {{"name", "second"}, {"policies", policies}};
  second.update(action);
  return {{"version", "1"},
          {"listeners", {{{"name", "http"}, {"port", 8080}}}},
          {"clusters",
           {{{"name", "orders"}, {"endpoints", {{{"address", "10.0.0.1"}, {"port", 80}}}}}}},
          {"virtualHosts",
           {{{"name", "api"},
             {"domains", {"*"}},
             {"routes", {{{"name", "first"}, {"backends", {{{"cluster", "orders"}}}}}, second}}}}}};
}

std::string parse_error(const Json& snapshot) {
  auto parsed = parse_snapshot_json(snapshot.dump());
  return parsed.ok() ? "" : parsed.error().to_string();
}

TEST(SnapshotPolicies, ErrorNamesThePolicyFieldUnderItsRoute) {
  const Json cors = {{"allowOrigins", {"https://a.com", "https://b.com", "ftp://c.com"}}};
  EXPECT_EQ(parse_error(snapshot_with({{"cors", cors}})),
            "virtualHosts[0].routes[1].policies.cors.allowOrigins[2]: must be \"*\" or "
            "scheme://host[:port] with scheme http or https");
}

TEST(SnapshotPolicies, UnknownPolicyIsRefused) {
  EXPECT_EQ(parse_error(snapshot_with({{"waf", Json::object()}})),
            "virtualHosts[0].routes[1].policies.waf: unknown policy");
}

TEST(SnapshotPolicies, AuthIsEnforcedPerMethod) {
  EXPECT_TRUE(enforced_by_this_proxy("auth.jwt"));
  EXPECT_TRUE(enforced_by_this_proxy("auth.apiKey"));
  EXPECT_TRUE(enforced_by_this_proxy("auth.oauth2Introspection"));
  EXPECT_FALSE(enforced_by_this_proxy("auth"));
}

TEST(SnapshotPolicies, CacheIsEnforced) { EXPECT_TRUE(enforced_by_this_proxy("cache")); }

// docs/resilience.md: the proxy counts circuit-breaker limits per cluster and
// ejects outliers, so the controller no longer lists it as not enforced.
TEST(SnapshotPolicies, CircuitBreakerIsEnforced) {
  EXPECT_TRUE(enforced_by_this_proxy("circuitBreaker"));
}

TEST(SnapshotPolicies, ApiKeyAuthIsAcceptedNowThatItIsEnforced) {
  const Json auth = {
      {"apiKey",
       {{"keys",
         {{{"id", "k"},
           {"sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"auth", auth}})), "");
}

TEST(SnapshotPolicies, JwtAuthIsAcceptedNowThatItIsEnforced) {
  const Json auth = {{"jwt",
                      {{"issuer", "https://id.example.com"},
                       {"audiences", {"orders"}},
                       {"jwksUri", "https://id.example.com/jwks.json"}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"auth", auth}})), "");
}

TEST(SnapshotPolicies, IntrospectionIsAcceptedNowThatItIsEnforced) {
  const Json auth = {
      {"oauth2Introspection",
       {{"endpoint", "https://id/introspect"}, {"clientId", "gw"}, {"clientSecret", "s3cret"}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"auth", auth}})), "");
}

TEST(SnapshotPolicies, InvalidAuthIsReportedBeforeTheRefusal) {
  EXPECT_EQ(parse_error(snapshot_with({{"auth", {{"apiKey", {{"keys", Json::array()}}}}}})),
            "virtualHosts[0].routes[1].policies.auth.apiKey.keys: must have at least 1 entry");
}

// aggregate is enforced (docs/aggregation.md): a route with it and no
// other action is accepted; it was refused until the filter landed.
TEST(SnapshotPolicies, AggregateIsTheActionAndIsAccepted) {
  const Json aggregate = {{"parts", {{{"name", "o"}, {"cluster", "orders"}, {"path", "/o"}}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"aggregate", aggregate}}, Json::object())), "");
  EXPECT_EQ(parse_error(snapshot_with({{"aggregate", aggregate}})),
            "virtualHosts[0].routes[1].policies.aggregate: is the route's action; backends, "
            "redirect and directResponse must not be set");
}

// A part's path names only captures every match has, as rewrite.fullPath.
TEST(SnapshotPolicies, AggregatePartPathsNameOnlyCapturesOfEveryMatch) {
  const Json aggregate = {{"parts", {{{"name", "o"}, {"cluster", "orders"}, {"path", "/o/{id}"}}}}};
  const Json one_template = {
      {"matches", {{{"path", {{"type", "Template"}, {"value", "/v1/orders/{id}"}}}}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"aggregate", aggregate}}, one_template)), "");
  const Json one_prefix = {{"matches",
                            {{{"path", {{"type", "Template"}, {"value", "/v1/{id}"}}}},
                             {{"path", {{"type", "PathPrefix"}, {"value", "/v2"}}}}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"aggregate", aggregate}}, one_prefix)),
            "virtualHosts[0].routes[1].policies.aggregate.parts[0].path: capture \"id\" is not "
            "in every match");
}

TEST(SnapshotPolicies, AggregatePartsAreCheckedAgainstTheClusters) {
  const Json aggregate = {{"parts", {{{"name", "o"}, {"cluster", "payments"}, {"path", "/o"}}}}};
  EXPECT_EQ(parse_error(snapshot_with({{"aggregate", aggregate}}, Json::object())),
            "virtualHosts[0].routes[1].policies.aggregate.parts[0].cluster: unknown cluster "
            "\"payments\"");
}

TEST(SnapshotPolicies, EnforceablePoliciesAreAcceptedTypedAndRoundTrip) {
  const Json policies = Json::parse(R"({
    "retries": {"on": ["reset"], "attempts": 2},
    "circuitBreaker": {"maxRequests": 10},
    "rateLimit": {"requests": 60, "period": "1m", "key": "Header", "header": "X-Tenant"},
    "cache": {"ttl": "10s"},
    "cors": {"allowOrigins": ["HTTPS://App.example.com"], "maxAge": "600s"}})");
  auto parsed = parse_snapshot_json(snapshot_with(policies).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const RoutePolicies& typed = parsed->snapshot().virtual_hosts[0].routes[1].policies;
  ASSERT_TRUE(typed.retries && typed.circuit_breaker && typed.rate_limit && typed.cache &&
              typed.cors);
  EXPECT_EQ(typed.retries->retry_on, std::vector<RetryOn>{RetryOn::kReset});
  EXPECT_EQ(typed.rate_limit->header, "x-tenant");
  EXPECT_EQ(typed.cors->allow_origins, std::vector<std::string>{"https://app.example.com"});
  EXPECT_EQ(parsed->snapshot().virtual_hosts[0].routes[0].policies, RoutePolicies{});

  const std::string canonical = to_json(parsed->snapshot());
  auto again = parse_snapshot_json(canonical);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->snapshot(), parsed->snapshot());
  EXPECT_EQ(to_json(again->snapshot()), canonical);
}

}  // namespace
}  // namespace archway::config
