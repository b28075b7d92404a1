// The route's own actions as filters (registry order; redirect and direct
// response answers with responseHeaders; request transformation of path,
// host and headers; response transformation of the backend's head), run
// against a fake exchange.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filter_test_util.h"
#include "proxy/filters/registry.h"

namespace archway::filters {
namespace {

using testing::field;
using testing::run_chain;

config::Route backend_route() {
  config::Route route;
  route.backends = {config::WeightedBackend{.cluster = "c", .weight = 1}};
  return route;
}

TEST(RouteActionFilters, APlainBackendRouteHasAnEmptyChain) {
  const config::Route route = backend_route();
  EXPECT_TRUE(compile_chain(route).empty());
  EXPECT_FALSE(compile_chain(route).routes_preflight_by_requested_method);
}

TEST(RouteActionFilters, TheRegistryCompilesOnlyWhatTheRouteUses) {
  struct Case {
    std::string name;
    config::Route route;
    bool cors;
    size_t filters;
  };
  config::Route redirect;
  redirect.redirect = config::Redirect{};
  config::Route redirect_with_ops = redirect;
  redirect_with_ops.response_headers.set = {{"x-a", "1"}};
  redirect_with_ops.request_headers.set = {{"x-b", "1"}};  // nothing is sent: no filter
  config::Route rewriting = backend_route();
  rewriting.rewrite.hostname = "internal";
  const std::vector<Case> cases = {
      {"redirect", redirect, false, 1},
      {"redirect+responseHeaders", redirect_with_ops, false, 2},
      {"rewrite", rewriting, false, 1},
      {"cors+rewrite", rewriting, true, 2},
  };
  const config::Cors cors{.allow_origins = {"*"},
                          .allow_methods = {},
                          .allow_headers = {},
                          .expose_headers = {},
                          .allow_credentials = false,
                          .max_age = {}};
  for (const Case& c : cases) {
    const CompiledChain chain = compile_chain(c.route, c.cors ? &cors : nullptr);
    EXPECT_EQ(chain.filters.size(), c.filters) << c.name;
    EXPECT_EQ(chain.routes_preflight_by_requested_method, c.cors) << c.name;
  }
}

// Route::https_redirect (ingress-nginx's ssl-redirect): a cleartext request
// is sent to https before any other filter (the rewrite does not touch the
// Location); a TLS request goes on to the backend, rewritten.
TEST(RouteActionFilters, HttpsRedirectSendsOnlyCleartextRequestsToHttps) {
  config::Route route = backend_route();
  route.https_redirect = 308;
  route.rewrite.full_path = "/internal";
  const CompiledChain chain = compile_chain(route);
  http::Request request;
  request.method = "POST";
  request.scheme = "http";
  request.authority = "shop.example.com:8080";
  const auto plain = run_chain(chain, route, request, "/a/b", "q=1");
  ASSERT_TRUE(plain.reply.has_value());
  EXPECT_EQ(plain.reply->status, 308);
  EXPECT_EQ(field(plain.response.headers, "location"), "https://shop.example.com/a/b?q=1");
  request.scheme = "https";
  const auto tls = run_chain(chain, route, request, "/a/b", "q=1");
  EXPECT_FALSE(tls.reply.has_value());
  EXPECT_TRUE(tls.continued);
  EXPECT_EQ(tls.path, "/internal");
}

TEST(RouteActionFilters, RedirectAnswersWithLocationAndResponseHeaders) {
  config::Route route;
  route.redirect = config::Redirect{
      .scheme = "https", .hostname = {}, .port = {}, .path = {}, .status_code = 301};
  route.response_headers.set = {{"X-Served-By", "archway"}};
  http::Request request;
  request.method = "GET";
  request.scheme = "http";
  request.authority = "Shop.Example.com";
  const auto run = run_chain(compile_chain(route), route, request, "/a/b", "q=1");
  ASSERT_TRUE(run.reply.has_value());
  EXPECT_EQ(run.reply->status, 301);
  EXPECT_EQ(field(run.response.headers, "location"), "https://shop.example.com/a/b?q=1");
  EXPECT_EQ(field(run.response.headers, "x-served-by"), "archway");
}

TEST(RouteActionFilters, DirectResponseAnswersWithItsBodyAndResponseHeaders) {
  config::Route route;
  route.direct_response =
      config::DirectResponse{.status = 418, .body = "tea", .content_type = "text/plain"};
  route.response_headers.remove = {"content-type"};
  route.response_headers.add = {{"x-a", "1"}};
  const auto run = run_chain(compile_chain(route), route, http::Request{});
  ASSERT_TRUE(run.reply.has_value());
  EXPECT_EQ(run.reply->status, 418);
  EXPECT_EQ(run.reply->body, "tea");
  EXPECT_EQ(field(run.response.headers, "content-type"), std::nullopt);
  EXPECT_EQ(field(run.response.headers, "x-a"), "1");
}

TEST(RouteActionFilters, RequestTransformationRewritesPathHostAndHeaders) {
  config::Route route = backend_route();
  route.rewrite.path_prefix = "/internal";
  route.rewrite.hostname = "orders.internal";
  route.request_headers.set = {{"X-Env", "prod"}};
  route.request_headers.remove = {"cookie"};
  routing::RouteMatch match;
  match.matched_prefix = "/v1";
  http::Request request;
  request.authority = "api.example.com";
  request.headers = {{"cookie", "a=b"}, {"x-env", "dev"}};
  const auto run = run_chain(compile_chain(route), route, request, "/v1/orders", "", {}, match);
  EXPECT_TRUE(run.continued);
  EXPECT_EQ(run.path, "/internal/orders");
  EXPECT_EQ(run.request.authority, "orders.internal");
  EXPECT_EQ(run.client_authority, "api.example.com");
  EXPECT_EQ(field(run.request.headers, "cookie"), std::nullopt);
  EXPECT_EQ(field(run.request.headers, "x-env"), "prod");
}

TEST(RouteActionFilters, ResponseTransformationEditsTheBackendsHead) {
  config::Route route = backend_route();
  route.response_headers.remove = {"Server"};
  http::Response backend;
  backend.headers = {{"server", "nginx"}, {"etag", "1"}};
  const auto run = run_chain(compile_chain(route), route, http::Request{}, "/", "", backend);
  EXPECT_TRUE(run.continued);
  EXPECT_EQ(field(run.response.headers, "server"), std::nullopt);
  EXPECT_EQ(field(run.response.headers, "etag"), "1");
}

}  // namespace
}  // namespace archway::filters
