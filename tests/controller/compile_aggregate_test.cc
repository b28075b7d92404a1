// An APIRoute's `aggregate` through compile: each part's Service becomes a
// cluster of the snapshot, the per-part fields and the forwarded headers
// reach it as the proxy decodes them (api_route_rule.cc reads them with the
// proxy's own codec), and what the proxy could not serve refuses the route
// naming the field.
#include <gtest/gtest.h>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

const std::string kServices = testing::service_yaml("orders", "10.96.0.1", "10.0.0.1") +
                              testing::service_yaml("customers", "10.96.0.2", "10.0.0.2", 8081);

compile::CompileResult run_rule(const std::string& rule) {
  return testing::compile_rules(kServices, rule);
}

const compile::ObjectVerdict& verdict(const compile::CompileResult& r) {
  return testing::route_verdict(r);
}

const config::Route* aggregate_route(const compile::CompileResult& r) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    for (const auto& route : vh.routes) {
      if (route.policies.aggregate) return &route;
    }
  }
  return nullptr;
}

bool has_cluster(const compile::CompileResult& r, const std::string& name) {
  for (const auto& c : r.snapshot.clusters) {
    if (c.name == name) return true;
  }
  return false;
}

const std::string kTwoParts =
    "{matches: [{path: {type: Template, value: '/v1/orders/{id}'}}], aggregate: {parts: ["
    "{name: order, backend: {name: orders, port: 80}, path: '/orders/{id}', timeout: 250ms, "
    "maxBodyBytes: 4096},"
    "{name: customer, backend: {name: customers, port: 80}, path: '/customers?order={id}', "
    "required: false}],"
    "forwardHeaders: [X-Tenant], forwardAuthorization: true}}";

TEST(CompileAggregate, PartsBecomeClustersAndEveryFieldReachesTheSnapshot) {
  const auto r = run_rule(kTwoParts);
  ASSERT_TRUE(verdict(r).accepted) << verdict(r).accepted_message;
  const config::Route* route = aggregate_route(r);
  ASSERT_NE(route, nullptr);
  EXPECT_TRUE(route->backends.empty());
  const config::Aggregate& a = *route->policies.aggregate;
  ASSERT_EQ(a.parts.size(), 2u);
  EXPECT_EQ(a.parts[0].name, "order");
  EXPECT_TRUE(has_cluster(r, a.parts[0].cluster)) << a.parts[0].cluster;
  EXPECT_TRUE(has_cluster(r, a.parts[1].cluster)) << a.parts[1].cluster;
  EXPECT_NE(a.parts[0].cluster, a.parts[1].cluster);
  EXPECT_EQ(a.parts[0].timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(a.parts[0].max_body_bytes, 4096u);
  EXPECT_FALSE(a.parts[0].required.has_value());
  EXPECT_EQ(a.parts[1].required, false);
  EXPECT_EQ(a.parts[1].path, "/customers?order={id}");
  EXPECT_EQ(a.forward_headers, std::vector<std::string>{"x-tenant"});
  EXPECT_TRUE(a.forward_authorization);
}

TEST(CompileAggregate, RefusalsNameTheField) {
  struct Case {
    const char* rule;
    const char* reason;
    const char* message;
  };
  const Case cases[] = {
      {"{matches: [{path: {type: Template, value: '/o/{id}'}}], aggregate: {parts: [{name: o, "
       "backend: {name: orders, port: 80}, path: '/orders/{order}'}]}}",
       "InvalidTemplate", "spec.rules[0].aggregate.parts[0].path: {order} is not captured"},
      {"{aggregate: {parts: [{name: o, backend: {name: orders, port: 80, protocol: H2C}, "
       "path: /}]}}",
       "UnsupportedValue", "spec.rules[0].aggregate.parts[0].backend.protocol"},
      {"{aggregate: {parts: [{name: o, backend: {name: orders, port: 80}, path: /, "
       "timeout: 2m}]}}",
       "InvalidValue", "spec.rules[0].aggregate.parts[0].timeout: must be between 1ms and 60s"},
      {"{aggregate: {parts: [{name: o, backend: {name: orders, port: 80}, path: /}], "
       "forwardHeaders: [authorization]}}",
       "InvalidValue", "spec.rules[0].aggregate.forwardHeaders[0]: authorization is forwarded"},
      {"{aggregate: {parts: [{name: o, backend: {name: orders, port: 80}, path: /}]}, "
       "backends: [{name: orders, port: 80}]}",
       "InvalidValue", "exactly one of backends, redirect, directResponse or aggregate"},
  };
  for (const Case& c : cases) {
    const auto r = run_rule(c.rule);
    EXPECT_FALSE(verdict(r).accepted) << c.rule;
    EXPECT_EQ(compile::reason_name(verdict(r).accepted_reason), c.reason) << c.rule;
    EXPECT_NE(verdict(r).accepted_message.find(c.message), std::string::npos)
        << verdict(r).accepted_message;
  }
}

// A part's missing Service is a reference problem, as a backend's is: the
// route is accepted with ResolvedRefs=False and the part fails at request
// time (no endpoint).
TEST(CompileAggregate, MissingServiceIsUnresolvedNotRefused) {
  const auto r =
      run_rule("{aggregate: {parts: [{name: o, backend: {name: nowhere, port: 80}, path: /}]}}");
  EXPECT_TRUE(verdict(r).accepted) << verdict(r).accepted_message;
  EXPECT_FALSE(verdict(r).resolved_refs);
  EXPECT_NE(aggregate_route(r), nullptr);
}

}  // namespace
}  // namespace archway::controller
