// An APIRoute's `cache` through compile: every field, the RFC 5861 stale
// windows and cacheSetCookie included, reaches the snapshot as the proxy
// decodes it (controller/compile/api_route_rule.cc reads it with the
// proxy's own codec), and a malformed one refuses the route naming it.
#include <gtest/gtest.h>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

const std::string kApp = testing::service_yaml("app", "10.96.0.1", "10.0.0.1");

compile::CompileResult run_route(const std::string& rule) {
  return testing::compile_rules(kApp, rule);
}

const compile::ObjectVerdict& verdict(const compile::CompileResult& r) {
  return testing::route_verdict(r);
}

const config::Cache* rule_cache(const compile::CompileResult& r) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    for (const auto& route : vh.routes) {
      if (route.policies.cache) return &*route.policies.cache;
    }
  }
  return nullptr;
}

TEST(CompileCache, StaleWindowsAndSetCookieReachTheSnapshot) {
  const auto r = run_route(
      "{cache: {ttl: 10s, varyHeaders: [Accept], staleWhileRevalidate: 30s, staleIfError: 5m, "
      "cacheSetCookie: true}, backends: [{name: app, port: 80}]}");
  EXPECT_TRUE(verdict(r).accepted) << verdict(r).accepted_message;
  const config::Cache* cache = rule_cache(r);
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->ttl, std::chrono::seconds(10));
  EXPECT_EQ(cache->vary_headers, std::vector<std::string>{"accept"});
  EXPECT_EQ(cache->stale_while_revalidate, std::chrono::seconds(30));
  EXPECT_EQ(cache->stale_if_error, std::chrono::minutes(5));
  EXPECT_TRUE(cache->cache_set_cookie);
}

TEST(CompileCache, StaleWindowsAndSetCookieOffWhenNotWritten) {
  // An APIRoute stored before the fields existed carries no defaults.
  const auto r = run_route("{cache: {ttl: 10s}, backends: [{name: app, port: 80}]}");
  const config::Cache* cache = rule_cache(r);
  ASSERT_NE(cache, nullptr);
  EXPECT_EQ(cache->stale_while_revalidate, std::chrono::milliseconds(0));
  EXPECT_EQ(cache->stale_if_error, std::chrono::milliseconds(0));
  EXPECT_FALSE(cache->cache_set_cookie);
}

TEST(CompileCache, AMalformedStaleWindowRefusesTheRouteNamingTheField) {
  const auto r =
      run_route("{cache: {ttl: 10s, staleIfError: soon}, backends: [{name: app, port: 80}]}");
  EXPECT_FALSE(verdict(r).accepted);
  EXPECT_NE(verdict(r).accepted_message.find("spec.rules[0].cache.staleIfError"), std::string::npos)
      << verdict(r).accepted_message;
}

}  // namespace
}  // namespace archway::controller
