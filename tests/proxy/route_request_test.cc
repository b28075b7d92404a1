// Which route a CORS preflight takes: the one its announced method reaches,
// when that route has a CORS policy; otherwise the OPTIONS request is
// routed as itself.

#include "proxy/exchange/route_request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "proxy/filters/registry.h"
#include "route_test_util.h"

namespace archway::exchange {
namespace {

// Routes: "get" (GET only) and "options" (OPTIONS only) on /api, "other"
// (GET only) on /other. `cors_routes` names the routes given a CORS policy.
TableContext make_table(const std::vector<std::string>& cors_routes) {
  TableContext ctx;
  ctx.table = routing::testing::compile_yaml(R"(
- name: vh
  domains: ["*"]
  routes:
  - {name: get, matches: [{path: {type: PathPrefix, value: /api}, methods: [GET]}], backends: [{cluster: c}]}
  - {name: options, matches: [{path: {type: PathPrefix, value: /api}, methods: [OPTIONS]}], backends: [{cluster: c}]}
  - {name: other, matches: [{path: {type: PathPrefix, value: /other}, methods: [GET]}], backends: [{cluster: c}]}
)");
  const config::Cors cors{.allow_origins = {"*"},
                          .allow_methods = {},
                          .allow_headers = {},
                          .expose_headers = {},
                          .allow_credentials = false,
                          .max_age = {}};
  for (const auto& route : ctx.table->routes()) {
    const bool on =
        std::find(cors_routes.begin(), cors_routes.end(), route.route.name) != cors_routes.end();
    ctx.chains.push_back(filters::compile_chain(route.route, on ? &cors : nullptr));
  }
  return ctx;
}

std::string routed(const TableContext& table, std::string method, std::string path,
                   http::Headers headers) {
  std::vector<routing::HeaderField> fields;
  for (const auto& h : headers) fields.push_back({h.name, h.value});
  const routing::RequestHead head{method, "example.com", path, "", fields};
  const auto match = route_request(table, head, headers);
  return match ? match->route->route.name : "404";
}

TEST(RouteRequest, APreflightTakesTheRouteOfTheMethodItAnnouncesWhenThatRouteHasCors) {
  const TableContext table = make_table({"get"});
  const http::Headers preflight = {{"origin", "https://a.test"},
                                   {"access-control-request-method", "GET"}};
  EXPECT_EQ(routed(table, "OPTIONS", "/api", preflight), "get");
}

TEST(RouteRequest, APreflightForARouteWithoutCorsIsRoutedAsItself) {
  const TableContext table = make_table({});
  const http::Headers preflight = {{"origin", "https://a.test"},
                                   {"access-control-request-method", "GET"}};
  EXPECT_EQ(routed(table, "OPTIONS", "/api", preflight), "options");
  EXPECT_EQ(routed(table, "OPTIONS", "/other", preflight), "404");
}

TEST(RouteRequest, OptionsWithoutThePreflightFieldsIsRoutedAsItself) {
  const TableContext table = make_table({"get"});
  EXPECT_EQ(routed(table, "OPTIONS", "/api", {{"origin", "https://a.test"}}), "options");
  EXPECT_EQ(routed(table, "OPTIONS", "/api", {{"access-control-request-method", "GET"}}),
            "options");
  EXPECT_EQ(routed(table, "GET", "/api", {{"origin", "https://a.test"}}), "get");
}

}  // namespace
}  // namespace archway::exchange
