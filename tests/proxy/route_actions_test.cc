// pick_backend and rewrite_path: what the network side does with a match
// (header operations: request_rewrite_test.cc).

#include "proxy/routing/route_actions.h"

#include <map>

#include <gtest/gtest.h>

#include "tests/proxy/route_test_util.h"

namespace archway::routing {
namespace {

using testing::compile_yaml;
using testing::Request;

TEST(PickBackendTest, FollowsCumulativeWeights) {
  config::Route source;
  source.backends = {{"a", 1}, {"off", 0}, {"b", 3}};
  CompiledRoute r{.route = source};
  r.cumulative_weights = {1, 1, 4};
  r.total_weight = 4;
  EXPECT_EQ(pick_backend(r, 0)->cluster, "a");
  EXPECT_EQ(pick_backend(r, 1)->cluster, "b");
  EXPECT_EQ(pick_backend(r, 3)->cluster, "b");
  EXPECT_EQ(pick_backend(r, 4)->cluster, "a");  // wraps
  std::map<std::string, int> counts;
  for (uint64_t i = 0; i < 4000; ++i) counts[pick_backend(r, i * 2654435761u)->cluster]++;
  EXPECT_EQ(counts.count("off"), 0u);
  EXPECT_EQ(counts["a"], 1000);
  EXPECT_EQ(counts["b"], 3000);
}

TEST(PickBackendTest, NoWeightNoBackend) {
  const config::Route source;
  const CompiledRoute r{.route = source};
  EXPECT_EQ(pick_backend(r, 7), nullptr);
}

struct RewriteCase {
  std::string prefix;       // the route's PathPrefix
  std::string replacement;  // rewrite.pathPrefix
  std::string request;
  std::string expected;
};

// Gateway API ReplacePrefixMatch semantics (docs/routing.md "Rewrites").
TEST(RewritePathTest, PrefixReplacement) {
  const std::vector<RewriteCase> cases = {
      {"/foo", "/xyz", "/foo/bar", "/xyz/bar"},
      {"/foo", "/xyz/", "/foo/bar", "/xyz/bar"},
      {"/foo/", "/xyz", "/foo/bar", "/xyz/bar"},
      {"/foo/", "/xyz/", "/foo/bar", "/xyz/bar"},
      {"/foo", "/xyz", "/foo", "/xyz"},
      {"/foo", "/xyz/", "/foo", "/xyz/"},
      {"/foo", "/xyz", "/foo/", "/xyz/"},
      {"/foo", "/", "/foo/bar", "/bar"},
      {"/foo", "/", "/foo", "/"},
      {"/", "/xyz", "/foo", "/xyz/foo"},
      {"/", "/xyz/", "/foo", "/xyz/foo"},
      {"/", "/", "/foo", "/foo"},
      {"/", "/xyz", "/", "/xyz/"},
  };
  for (const RewriteCase& c : cases) {
    auto t = compile_yaml(
        "- name: h\n  domains: ['*']\n  routes:\n  - name: r\n"
        "    matches: [{path: {type: PathPrefix, value: '" +
        c.prefix +
        "'}}]\n"
        "    backends: [{cluster: c}]\n"
        "    rewrite: {pathPrefix: '" +
        c.replacement + "'}\n");
    const Request request{.path = c.request};  // outlives the match's views
    auto m = testing::match(*t, request);
    ASSERT_TRUE(m) << c.request;
    EXPECT_EQ(rewrite_path(*m, c.request), c.expected)
        << c.prefix << " → " << c.replacement << " on " << c.request;
  }
}

TEST(RewritePathTest, FullPathSubstitutesCaptures) {
  auto t = compile_yaml(
      "- name: h\n  domains: ['*']\n  routes:\n  - name: r\n"
      "    matches: [{path: {type: Template, value: '/v1/{tenant}/orders/{id}'}}]\n"
      "    backends: [{cluster: c}]\n"
      "    rewrite: {fullPath: '/orders/{id}/t/{tenant}/{id}'}\n"
      "  - name: fixed\n"
      "    matches: [{path: {type: PathPrefix, value: /old}}]\n"
      "    backends: [{cluster: c}]\n"
      "    rewrite: {fullPath: /new}\n"
      "  - name: none\n"
      "    matches: [{path: {type: PathPrefix, value: /keep}}]\n"
      "    backends: [{cluster: c}]\n");
  auto m = testing::match(*t, Request{.path = "/v1/acme/orders/42"});
  ASSERT_TRUE(m);
  EXPECT_EQ(rewrite_path(*m, "/v1/acme/orders/42"), "/orders/42/t/acme/42");
  m = testing::match(*t, Request{.path = "/old/x"});
  ASSERT_TRUE(m);
  EXPECT_EQ(rewrite_path(*m, "/old/x"), "/new");
  m = testing::match(*t, Request{.path = "/keep/x"});
  ASSERT_TRUE(m);
  EXPECT_EQ(rewrite_path(*m, "/keep/x"), "/keep/x");
}

// {1}..{9}: a RegularExpression match's numbered groups (ingress-nginx's
// rewrite-target "$2", docs/migration.md); a group that took no part is
// empty, as nginx's.
TEST(RewritePathTest, FullPathSubstitutesRegexGroups) {
  auto t = compile_yaml(
      "- name: h\n  domains: ['*']\n  routes:\n  - name: r\n"
      "    matches: [{path: {type: RegularExpression, value: '(?i)(?:/something(/|$)(.*)).*'}}]\n"
      "    backends: [{cluster: c}]\n"
      "    rewrite: {fullPath: '/{2}'}\n"
      "  - name: both\n"
      "    matches: [{path: {type: RegularExpression, value: '/v([0-9]+)/(a|b)?x(.*)'}}]\n"
      "    backends: [{cluster: c}]\n"
      "    rewrite: {fullPath: '/api/{1}/{2}{3}'}\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/something", "/"},
      {"/something/", "/"},
      {"/something/new", "/new"},
      {"/SOMETHING/a/b", "/a/b"},
      {"/v12/ax/rest", "/api/12/a/rest"},
      {"/v3/x", "/api/3/"},  // group 2 took no part
  };
  for (const auto& [path, expected] : cases) {
    const Request request{.path = path};
    auto m = testing::match(*t, request);
    ASSERT_TRUE(m) << path;
    EXPECT_EQ(rewrite_path(*m, path), expected) << path;
  }
  // Without a group reference the regex match takes no captures.
  auto plain = compile_yaml(
      "- name: h\n  domains: ['*']\n  routes:\n  - name: r\n"
      "    matches: [{path: {type: RegularExpression, value: '/(a)(b)'}}]\n"
      "    backends: [{cluster: c}]\n");
  auto m = testing::match(*plain, Request{.path = "/ab"});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->captures.empty());
}

}  // namespace
}  // namespace archway::routing
