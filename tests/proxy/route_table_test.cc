// RouteTable::compile + match: every match type, the precedence order of
// route_table.h / docs/routing.md, fall-through, hosts and captures.

#include "proxy/routing/route_table.h"

#include <gtest/gtest.h>

#include <tuple>

#include "tests/proxy/route_test_util.h"

namespace archway::routing {
namespace {

using testing::compile_yaml;
using testing::Request;
using testing::route_name;

// One host, routes given as YAML list items (indented for `routes:`).
std::shared_ptr<const RouteTable> one_host(const std::string& routes) {
  return compile_yaml("- name: h\n  domains: ['*']\n  routes:\n" + routes);
}

std::string route(const std::string& name, const std::string& matches) {
  return "  - name: " + name + "\n    backends: [{cluster: c}]\n    matches: " + matches + "\n";
}

struct PathCase {
  std::string path;
  std::string expected;
};

void expect_paths(const RouteTable& table, const std::vector<PathCase>& cases) {
  for (const PathCase& c : cases) {
    EXPECT_EQ(route_name(table, Request{.path = c.path}), c.expected) << c.path;
  }
}

TEST(RouteTableTest, ExactMatchesOnlyTheWholePath) {
  auto t = one_host(route("exact", "[{path: {type: Exact, value: /a/b}}]"));
  expect_paths(
      *t,
      {{"/a/b", "exact"}, {"/a/b/", "404"}, {"/a", "404"}, {"/a/b/c", "404"}, {"/a/bc", "404"}});
}

TEST(RouteTableTest, ExactRootAndTrailingSlash) {
  auto t = one_host(route("root", "[{path: {type: Exact, value: /}}]") +
                    route("slash", "[{path: {type: Exact, value: /a/}}]"));
  expect_paths(*t, {{"/", "root"}, {"/a/", "slash"}, {"/a", "404"}, {"/b", "404"}});
}

TEST(RouteTableTest, PathPrefixIsSegmentAware) {
  auto t = one_host(route("foo", "[{path: {type: PathPrefix, value: /foo}}]") +
                    route("slash", "[{path: {type: PathPrefix, value: /bar/}}]"));
  expect_paths(*t, {{"/foo", "foo"},
                    {"/foo/", "foo"},
                    {"/foo/bar", "foo"},
                    {"/foobar", "404"},
                    {"/bar", "slash"},
                    {"/bar/x", "slash"},
                    {"/barx", "404"},
                    {"/", "404"}});
}

TEST(RouteTableTest, LongestPrefixWins) {
  auto t = one_host(route("root", "[{path: {type: PathPrefix, value: /}}]") +
                    route("a", "[{path: {type: PathPrefix, value: /a}}]") +
                    route("ab", "[{path: {type: PathPrefix, value: /a/b}}]"));
  expect_paths(*t, {{"/", "root"},
                    {"/x", "root"},
                    {"/a", "a"},
                    {"/a/c", "a"},
                    {"/a/b", "ab"},
                    {"/a/b/c/d", "ab"},
                    {"/a/bc", "a"}});
}

TEST(RouteTableTest, TemplateCapturesWholeNonEmptySegments) {
  auto t = one_host(route("order", "[{path: {type: Template, value: '/v1/orders/{id}'}}]"));
  expect_paths(*t, {{"/v1/orders/42", "order"},
                    {"/v1/orders/", "404"},
                    {"/v1/orders", "404"},
                    {"/v1/orders/42/items", "404"}});
  auto m = testing::match(*t, Request{.path = "/v1/orders/42"});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->captures.size(), 1u);
  EXPECT_EQ(m->captures[0].first, "id");
  EXPECT_EQ(m->captures[0].second, "42");
}

TEST(RouteTableTest, TemplateWithSeveralCaptures) {
  auto t = one_host(route("item", "[{path: {type: Template, value: '/o/{order}/items/{item}'}}]"));
  auto m = testing::match(*t, Request{.path = "/o/7/items/x-1"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->captures,
            (std::vector<std::pair<std::string, std::string>>{{"order", "7"}, {"item", "x-1"}}));
}

TEST(RouteTableTest, RegexIsAnchoredFullMatch) {
  auto t = one_host(route("re", "[{path: {type: RegularExpression, value: '/v[0-9]+/items'}}]"));
  expect_paths(
      *t,
      {{"/v1/items", "re"}, {"/v12/items", "re"}, {"/v1/items/x", "404"}, {"/x/v1/items", "404"}});
}

// route_table.h: Exact, then Template (more literal segments first), then
// RegularExpression in snapshot order, then PathPrefix longest first.
TEST(RouteTableTest, PrecedenceAcrossMatchTypes) {
  auto t = one_host(route("prefix", "[{path: {type: PathPrefix, value: /v1/orders}}]") +
                    route("regex", "[{path: {type: RegularExpression, value: '/v1/orders/.*'}}]") +
                    route("tmpl2", "[{path: {type: Template, value: '/v1/{a}/{b}'}}]") +
                    route("tmpl", "[{path: {type: Template, value: '/v1/orders/{id}'}}]") +
                    route("exact", "[{path: {type: Exact, value: /v1/orders/42}}]"));
  expect_paths(*t, {{"/v1/orders/42", "exact"},
                    {"/v1/orders/43", "tmpl"},  // more literal segments than tmpl2
                    {"/v1/users/43", "tmpl2"},
                    {"/v1/orders/43/x", "regex"},  // regex before prefix
                    {"/v1/orders", "prefix"}});
}

TEST(RouteTableTest, RegexesInSnapshotOrder) {
  auto t = one_host(route("first", "[{path: {type: RegularExpression, value: '/a/.*'}}]") +
                    route("second", "[{path: {type: RegularExpression, value: '/a/b'}}]"));
  expect_paths(*t, {{"/a/b", "first"}});
}

TEST(RouteTableTest, TiesPreferMoreHeadersThenQueryThenMethodsThenOrder) {
  auto t = one_host(
      route("plain", "[{path: {type: PathPrefix, value: /}}]") +
      route("method", "[{path: {type: PathPrefix, value: /}, methods: [POST]}]") +
      route("query",
            "[{path: {type: PathPrefix, value: /}, queryParams: [{name: q, value: '1'}]}]") +
      route("header", "[{path: {type: PathPrefix, value: /}, headers: [{name: x, value: '1'}]}]") +
      route("later", "[{path: {type: PathPrefix, value: /}}]"));
  EXPECT_EQ(
      route_name(*t,
                 Request{.method = "POST", .path = "/", .query = "q=1", .headers = {{"x", "1"}}}),
      "header");
  EXPECT_EQ(route_name(*t, Request{.method = "POST", .path = "/", .query = "q=1"}), "query");
  EXPECT_EQ(route_name(*t, Request{.method = "POST", .path = "/"}), "method");
  EXPECT_EQ(route_name(*t, Request{.method = "GET", .path = "/"}), "plain");
}

TEST(RouteTableTest, FailingCandidateFallsThroughToNextPrecedence) {
  auto t = one_host(
      route("exact-post", "[{path: {type: Exact, value: /a/b}, methods: [POST]}]") +
      route("tmpl-header",
            "[{path: {type: Template, value: '/a/{x}'}, headers: [{name: v, value: '2'}]}]") +
      route("regex-query",
            "[{path: {type: RegularExpression, value: '/a/.+'}, queryParams: [{name: d, type: "
            "Present}]}]") +
      route("prefix-a", "[{path: {type: PathPrefix, value: /a}, methods: [PUT]}]") +
      route("root", "[{path: {type: PathPrefix, value: /}}]"));
  EXPECT_EQ(route_name(*t, Request{.method = "POST", .path = "/a/b"}), "exact-post");
  EXPECT_EQ(route_name(*t, Request{.path = "/a/b", .headers = {{"v", "2"}}}), "tmpl-header");
  EXPECT_EQ(route_name(*t, Request{.path = "/a/b", .query = "d"}), "regex-query");
  EXPECT_EQ(route_name(*t, Request{.method = "PUT", .path = "/a/b"}), "prefix-a");
  EXPECT_EQ(route_name(*t, Request{.path = "/a/b"}), "root");
}

TEST(RouteTableTest, MatchesOfOneRouteAreOred) {
  auto t =
      one_host(route("r", "[{path: {type: Exact, value: /a}}, {path: {type: Exact, value: /b}}]"));
  expect_paths(*t, {{"/a", "r"}, {"/b", "r"}, {"/c", "404"}});
  EXPECT_EQ(t->size(), 2u);
}

TEST(RouteTableTest, RouteWithoutMatchesMatchesEverything) {
  auto t = compile_yaml(
      "- name: h\n  domains: ['*']\n  routes: [{name: all, backends: [{cluster: c}]}]\n");
  EXPECT_EQ(route_name(*t, Request{.path = "/anything/at/all"}), "all");
}

struct ConditionCase {
  std::string name;
  Request request;
  std::string expected;
};

TEST(RouteTableTest, HeaderQueryAndMethodConditions) {
  auto t = one_host(
      route("hdr-exact",
            "[{path: {type: Exact, value: /h1}, headers: [{name: X-Version, value: '2'}]}]") +
      route("hdr-regex",
            "[{path: {type: Exact, value: /h2}, headers: [{name: x-env, type: RegularExpression, "
            "value: 'prod|stage'}]}]") +
      route("hdr-present",
            "[{path: {type: Exact, value: /h3}, headers: [{name: x-debug, type: Present}]}]") +
      route("q-exact",
            "[{path: {type: Exact, value: /q1}, queryParams: [{name: a b, value: 'x/y'}]}]") +
      route("q-regex",
            "[{path: {type: Exact, value: /q2}, queryParams: [{name: n, type: RegularExpression, "
            "value: '[0-9]+'}]}]") +
      route("methods", "[{path: {type: Exact, value: /m}, methods: [GET, HEAD]}]"));
  const std::vector<ConditionCase> cases = {
      {"header name case-insensitive",
       {.path = "/h1", .headers = {{"x-version", "2"}}},
       "hdr-exact"},
      {"header value exact", {.path = "/h1", .headers = {{"x-version", "20"}}}, "404"},
      {"repeated header, any field",
       {.path = "/h1", .headers = {{"x-version", "1"}, {"x-version", "2"}}},
       "hdr-exact"},
      {"header regex full match", {.path = "/h2", .headers = {{"x-env", "prod"}}}, "hdr-regex"},
      {"header regex not partial", {.path = "/h2", .headers = {{"x-env", "production"}}}, "404"},
      {"header present", {.path = "/h3", .headers = {{"x-debug", ""}}}, "hdr-present"},
      {"header absent", {.path = "/h3"}, "404"},
      {"query decoded", {.path = "/q1", .query = "z=1&a%20b=x%2Fy"}, "q-exact"},
      {"query value differs", {.path = "/q1", .query = "a%20b=x"}, "404"},
      {"query regex", {.path = "/q2", .query = "n=123"}, "q-regex"},
      {"query regex not partial", {.path = "/q2", .query = "n=12a"}, "404"},
      {"query repeated", {.path = "/q2", .query = "n=a&n=7"}, "q-regex"},
      {"method listed", {.method = "HEAD", .path = "/m"}, "methods"},
      {"method not listed", {.method = "POST", .path = "/m"}, "404"},
      {"method case-sensitive", {.method = "get", .path = "/m"}, "404"},
  };
  for (const ConditionCase& c : cases) EXPECT_EQ(route_name(*t, c.request), c.expected) << c.name;
}

TEST(RouteTableTest, HostLookupExactThenLongestWildcardThenAny) {
  auto t = compile_yaml(
      "- {name: exact, domains: [api.example.com], routes: [{name: exact, backends: [{cluster: "
      "c}]}]}\n"
      "- {name: wild, domains: ['*.example.com'], routes: [{name: wild, backends: [{cluster: "
      "c}]}]}\n"
      "- {name: deeper, domains: ['*.eu.example.com'], routes: [{name: deeper, backends: "
      "[{cluster: c}]}]}\n"
      "- {name: any, domains: ['*'], routes: [{name: any, backends: [{cluster: c}]}]}\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"api.example.com", "exact"},
      {"www.example.com", "wild"},
      {"a.b.example.com", "wild"},
      {"x.eu.example.com", "deeper"},
      {"y.x.eu.example.com", "deeper"},
      {"eu.example.com", "wild"},
      {"example.com", "any"},
      {"other.org", "any"},
      {"", "any"},
  };
  for (const auto& [host, expected] : cases) {
    EXPECT_EQ(route_name(*t, Request{.host = host}), expected) << host;
  }
}

// Ingress wildcards stand for exactly one label; APIRoute (Gateway API) ones
// for one or more. Both may share a virtual host.
TEST(RouteTableTest, SingleLabelWildcardRoutes) {
  auto t = compile_yaml(
      "- name: wild\n"
      "  domains: ['*.example.com']\n"
      "  routes:\n"
      "  - {name: ingress, singleLabelWildcard: true, backends: [{cluster: c}],\n"
      "     matches: [{path: {type: PathPrefix, value: /ing}}]}\n"
      "  - {name: apiroute, backends: [{cluster: c}], matches: [{path: {type: PathPrefix, value: "
      "/api}}]}\n"
      "  - {name: ingress-default, singleLabelWildcard: true, backends: [{cluster: c}]}\n"
      "- {name: any, domains: ['*'], routes: [{name: any, backends: [{cluster: c}]}]}\n");
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"a.example.com", "/ing/x", "ingress"},
      {"a.example.com", "/api", "apiroute"},
      {"a.example.com", "/other", "ingress-default"},
      {"a.b.example.com", "/api", "apiroute"},  // APIRoute: one or more labels
      {"a.b.example.com", "/ing/x", "any"},     // Ingress rule does not cover it
      {"a.b.example.com", "/other", "any"},
      {"x.y.z.example.com", "/ing", "any"},
      {"example.com", "/ing", "any"},
  };
  for (const auto& [host, path, expected] : cases) {
    EXPECT_EQ(route_name(*t, Request{.host = host, .path = path}), expected) << host << path;
  }
  // Without an any-host table, a deeper host finds nothing.
  auto only = compile_yaml(
      "- {name: wild, domains: ['*.example.com'], routes: [{name: ingress, singleLabelWildcard: "
      "true, "
      "backends: [{cluster: c}]}]}\n");
  EXPECT_EQ(route_name(*only, Request{.host = "a.example.com"}), "ingress");
  EXPECT_EQ(route_name(*only, Request{.host = "a.b.example.com"}), "404");
  // An exact domain is not a wildcard: the flag changes nothing there.
  auto exact = compile_yaml(
      "- {name: e, domains: [a.b.example.com], routes: [{name: exact, singleLabelWildcard: true, "
      "backends: [{cluster: c}]}]}\n");
  EXPECT_EQ(route_name(*exact, Request{.host = "a.b.example.com"}), "exact");
}

TEST(RouteTableTest, UnknownHostWithoutCatchAllIs404) {
  auto t = compile_yaml(
      "- {name: a, domains: [a.com], routes: [{name: a, backends: [{cluster: c}]}]}\n");
  EXPECT_EQ(route_name(*t, Request{.host = "b.com"}), "404");
  EXPECT_EQ(route_name(*t, Request{.host = "x.a.com"}), "404");
}

TEST(RouteTableTest, SelectedHostDoesNotFallBackToAnother) {
  auto t = compile_yaml(
      "- {name: a, domains: [a.com], routes: [{name: a, matches: [{path: {type: Exact, value: "
      "/a}}], backends: [{cluster: c}]}]}\n"
      "- {name: any, domains: ['*'], routes: [{name: any, backends: [{cluster: c}]}]}\n");
  EXPECT_EQ(route_name(*t, Request{.host = "a.com", .path = "/b"}), "404");
}

TEST(RouteTableTest, MatchedPrefixExcludesTrailingSlash) {
  auto t = one_host(route("a", "[{path: {type: PathPrefix, value: /api/}}]") +
                    route("root", "[{path: {type: PathPrefix, value: /}}]"));
  // matched_prefix views the request's path, so the request must outlive it.
  const Request api{.path = "/api/v1"};
  auto m = testing::match(*t, api);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_prefix, "/api");
  EXPECT_EQ(m->matched_prefix.data(), api.path.data());
  const Request other{.path = "/other"};
  m = testing::match(*t, other);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->matched_prefix, "");
}

TEST(RouteTableTest, CompiledRouteCarriesWeightsAndHost) {
  auto t = compile_yaml(
      "- {name: a, domains: [a.com], routes: []}\n"
      "- {name: b, domains: [b.com], routes: [{name: r, backends: [{cluster: c, weight: 3}, "
      "{cluster: d, weight: 0}, {cluster: c, weight: 5}]}]}\n");
  auto m = testing::match(*t, Request{.host = "b.com"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->virtual_host_index, 1u);
  EXPECT_EQ(m->route->total_weight, 8u);
  EXPECT_EQ(m->route->cumulative_weights, (std::vector<uint32_t>{3, 3, 8}));
}

// The compiler takes only a ValidatedSnapshot, so an invalid snapshot is
// stopped by validate_snapshot, the one gate, with the field named.
TEST(RouteTableTest, InvalidSnapshotIsRejectedBeforeCompileWithField) {
  config::Snapshot s;
  s.version = "1";
  s.virtual_hosts.push_back({.name = "h", .domains = {"*"}});
  config::Route r;
  r.name = "r";
  r.direct_response = config::DirectResponse{};
  r.matches.push_back({.path = {config::PathMatchType::kRegularExpression, "(("}});
  s.virtual_hosts[0].routes.push_back(r);
  auto validated = config::validate_snapshot(s);
  ASSERT_FALSE(validated.ok());
  EXPECT_EQ(validated.error().to_string(),
            "virtualHosts[0].routes[0].matches[0].path.value: invalid regular expression: "
            "missing ): ((");
}

TEST(RouteTableTest, TableKeepsItsSnapshot) {
  auto t = one_host(route("a", "[{path: {type: PathPrefix, value: /}}]"));
  EXPECT_EQ(t->snapshot().version, "1");
  EXPECT_EQ(t->snapshot().virtual_hosts[0].routes[0].name, "a");
}

TEST(NormalizeHostTest, StripsPortTrailingDotAndCase) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"API.Example.com.:8443", "api.example.com"},
      {"example.com", "example.com"},
      {"example.com:80", "example.com"},
      {"example.com.", "example.com"},
      {"[::1]:8080", "[::1]"},
      {"[FE80::1]", "[fe80::1]"},
      {"10.0.0.1:443", "10.0.0.1"},
      {"", ""},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(normalize_host(in), out) << in;
}

}  // namespace
}  // namespace archway::routing
