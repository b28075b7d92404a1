// Table-driven tests of compile's semantics (DESIGN.md §2, §3). Objects are
// written as YAML, like a person would; golden files cover whole snapshots.
#include <gtest/gtest.h>

#include "controller/compile/proxy_check.h"
#include "controller/compile/tls_secret.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

using compile::CompileResult;
using compile::ObjectVerdict;
using compile::reason_name;
using testing::find_verdict;

CompileResult run(const std::string& yaml, const ObjectMap& last_good_routes = {}) {
  return compile::compile(testing::state_from_yaml(yaml), testing::test_options(),
                          {last_good_routes, {}});
}

const config::VirtualHost* find_host(const CompileResult& r, const std::string& host) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    if (vh.name == host) return &vh;
  }
  return nullptr;
}

const config::Cluster* find_cluster(const CompileResult& r, const std::string& name) {
  for (const auto& c : r.snapshot.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const std::string kApp = testing::service_yaml("app", "10.96.0.1", "10.0.0.1");

std::string route(const std::string& name, const std::string& created, const std::string& spec,
                  int generation = 1) {
  return "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: " + name +
         ", namespace: ns, generation: " + std::to_string(generation) + ", creationTimestamp: \"" +
         created + "\"}\nspec: " + spec + "\n";
}

std::string ingress(const std::string& name, const std::string& meta_extra,
                    const std::string& spec) {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + name +
         ", namespace: ns, creationTimestamp: \"2026-01-01T00:00:00Z\"" + meta_extra +
         "}\nspec: " + spec + "\n";
}

const std::string kOurDefaultClass = R"(
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: archway, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: archway.dev/ingress-controller}
)";
const std::string kOtherDefaultClass = R"(
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: k8s.io/ingress-nginx}
)";
const std::string kRenamedClass = R"(
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: edge}
spec: {controller: archway.dev/ingress-controller}
)";

const std::string kSimpleRules =
    "{rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: "
    "{service: {name: app, port: {number: 80}}}}]}}]";

struct ClassCase {
  std::string name;
  std::string classes;
  std::string meta_extra;
  std::string class_field;
  bool ours;
};

TEST(CompileIngressClass, SelectsOnlyOurIngresses) {
  const std::vector<ClassCase> cases = {
      {"no class, no default", "", "", "", false},
      {"no class, ours is default", kOurDefaultClass, "", "", true},
      {"no class, other is default", kOtherDefaultClass, "", "", false},
      {"our class by name", "", "", "ingressClassName: archway, ", true},
      {"another class by name", kOtherDefaultClass, "", "ingressClassName: nginx, ", false},
      {"a renamed class with our controller", kRenamedClass, "", "ingressClassName: edge, ", true},
      {"legacy annotation ours", "", ", annotations: {kubernetes.io/ingress.class: archway}", "",
       true},
      {"legacy annotation theirs", kOurDefaultClass,
       ", annotations: {kubernetes.io/ingress.class: nginx}", "", false},
  };
  for (const auto& c : cases) {
    std::string spec = kSimpleRules;
    spec.insert(1, c.class_field);
    const auto r = run(kApp + c.classes + ingress("web", c.meta_extra, spec + "}"));
    EXPECT_EQ(find_verdict(r, "Ingress", "web") != nullptr, c.ours) << c.name;
    EXPECT_EQ(find_host(r, "a.example.com") != nullptr, c.ours) << c.name;
  }
}

TEST(CompileIngressClass, ApiRouteWithoutClassIsOursUnlessAnotherDefault) {
  const std::string r =
      route("r", "2026-01-01T00:00:00Z", "{rules: [{backends: [{name: app, port: 80}]}]}");
  EXPECT_NE(find_verdict(run(kApp + r), "APIRoute", "r"), nullptr);
  EXPECT_NE(find_verdict(run(kApp + kOurDefaultClass + r), "APIRoute", "r"), nullptr);
  EXPECT_EQ(find_verdict(run(kApp + kOtherDefaultClass + r), "APIRoute", "r"), nullptr);
  const std::string named =
      route("n", "2026-01-01T00:00:00Z",
            "{ingressClassName: archway, rules: [{backends: [{name: app, port: 80}]}]}");
  EXPECT_NE(find_verdict(run(kApp + kOtherDefaultClass + named), "APIRoute", "n"), nullptr);
}

struct PathCase {
  std::string path_type;
  std::string path;
  config::PathMatchType want_type;
  std::string want_value;
};

TEST(CompileIngress, PathTypes) {
  const std::vector<PathCase> cases = {
      {"Exact", "/a/b/", config::PathMatchType::kExact, "/a/b/"},
      {"Prefix", "/a/b/", config::PathMatchType::kPathPrefix, "/a/b"},
      {"Prefix", "/", config::PathMatchType::kPathPrefix, "/"},
      {"ImplementationSpecific", "/x", config::PathMatchType::kPathPrefix, "/x"},
  };
  for (const auto& c : cases) {
    const auto r = run(
        kApp +
        ingress("web", "",
                "{ingressClassName: archway, rules: [{host: a.example.com, http: {paths: [{path: " +
                    c.path + ", pathType: " + c.path_type +
                    ", backend: {service: {name: app, port: {name: web}}}}]}}]}"));
    const auto* vh = find_host(r, "a.example.com");
    ASSERT_NE(vh, nullptr) << c.path_type;
    ASSERT_EQ(vh->routes.size(), 1u);
    EXPECT_EQ(vh->routes[0].matches[0].path.type, c.want_type) << c.path_type << " " << c.path;
    EXPECT_EQ(vh->routes[0].matches[0].path.value, c.want_value) << c.path_type << " " << c.path;
    // A port by name and by number land on one cluster, keyed by number.
    EXPECT_EQ(vh->routes[0].backends[0].cluster, "ns/app/80");
  }
}

TEST(CompileIngress, DefaultBackendFillsHostsWithoutCatchAll) {
  const auto r = run(
      kApp +
      ingress(
          "web", "",
          "{ingressClassName: archway, defaultBackend: {service: {name: app, port: {number: 80}}}, "
          "rules: [{host: a.example.com, http: {paths: [{path: /x, pathType: Exact, backend: "
          "{service: {name: app, port: {number: 80}}}}]}},"
          "{host: b.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: "
          "{name: app, port: {number: 80}}}}]}}]}"));
  ASSERT_NE(find_host(r, "*"), nullptr);
  EXPECT_EQ(find_host(r, "*")->routes.size(), 1u);
  EXPECT_EQ(find_host(r, "a.example.com")->routes.size(), 2u);  // /x + default
  EXPECT_EQ(find_host(r, "a.example.com")->routes[1].rule_name, "default-backend");
  EXPECT_EQ(find_host(r, "b.example.com")->routes.size(), 1u);  // has its own "/"
}

// Ingress "*.foo.com" covers one label: its routes (and the defaultBackend
// copy on that host) carry single_label_wildcard; exact hosts do not.
TEST(CompileIngress, WildcardHostRoutesAreSingleLabel) {
  const auto r = run(
      kApp +
      ingress(
          "web", "",
          "{ingressClassName: archway, defaultBackend: {service: {name: app, port: {number: 80}}}, "
          "rules: [{host: '*.example.com', http: {paths: [{path: /x, pathType: Prefix, backend: "
          "{service: {name: app, port: {number: 80}}}}]}},"
          "{host: b.example.com, http: {paths: [{path: /y, pathType: Prefix, backend: {service: "
          "{name: app, port: {number: 80}}}}]}}]}"));
  const auto* wild = find_host(r, "*.example.com");
  ASSERT_NE(wild, nullptr);
  ASSERT_EQ(wild->routes.size(), 2u);  // /x + default
  EXPECT_TRUE(wild->routes[0].single_label_wildcard);
  EXPECT_TRUE(wild->routes[1].single_label_wildcard);
  ASSERT_NE(find_host(r, "b.example.com"), nullptr);
  for (const auto& route : find_host(r, "b.example.com")->routes) {
    EXPECT_FALSE(route.single_label_wildcard) << route.name;
  }
  EXPECT_FALSE(find_host(r, "*")->routes[0].single_label_wildcard);
}

TEST(CompileBackends, ReadyPodAddressesOnTheSlicePort) {
  const std::string slices = R"(
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-2, namespace: ns, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
ports: [{name: web, port: 8080}, {name: other, port: 1}]
endpoints:
- {addresses: [10.0.0.9], conditions: {ready: false}}
- {addresses: [10.0.0.5], conditions: {ready: true}}
- {addresses: [10.0.0.1]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: not-ours, namespace: ns, labels: {kubernetes.io/service-name: app2}}
addressType: IPv4
ports: [{name: web, port: 8080}]
endpoints: [{addresses: [10.0.0.7]}]
)";
  const auto r = run(kApp + slices +
                     route("r", "2026-01-01T00:00:00Z",
                           "{rules: [{backends: [{name: app, port: 80, weight: 7}]}]}"));
  const auto* cluster = find_cluster(r, "ns/app/80");
  ASSERT_NE(cluster, nullptr);
  ASSERT_EQ(cluster->endpoints.size(), 2u);  // deduplicated, sorted, not-ready dropped
  EXPECT_EQ(cluster->endpoints[0].address, "10.0.0.1");
  EXPECT_EQ(cluster->endpoints[0].port, 8080);
  EXPECT_EQ(cluster->endpoints[1].address, "10.0.0.5");
  EXPECT_EQ(find_host(r, "*")->routes[0].backends[0].weight, 7u);
}

TEST(CompileBackends, DevelopmentAddressMapRewritesEndpoints) {
  auto options = testing::test_options();
  options.endpoint_address_map = {{"10.0.0.1", "127.0.0.1"}};
  const auto r = compile::compile(
      testing::state_from_yaml(kApp + route("r", "2026-01-01T00:00:00Z",
                                            "{rules: [{backends: [{name: app, port: 80}]}]}")),
      options, {});
  ASSERT_EQ(r.snapshot.clusters.size(), 1u);
  ASSERT_EQ(r.snapshot.clusters[0].endpoints.size(), 1u);
  EXPECT_EQ(r.snapshot.clusters[0].endpoints[0].address, "127.0.0.1");
  EXPECT_EQ(r.snapshot.clusters[0].endpoints[0].port, 8080);
}

TEST(CompileBackends, ProtocolsGetTheirOwnClusters) {
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{rules: [{backends: [{name: app, port: 80, protocol: H2C}, "
                                  "{name: app, port: 80, protocol: HTTPS, weight: 0}]}]}"));
  ASSERT_NE(find_cluster(r, "ns/app/80/h2c"), nullptr);
  EXPECT_EQ(find_cluster(r, "ns/app/80/h2c")->protocol, config::ClusterProtocol::kH2c);
  const auto* tls = find_cluster(r, "ns/app/80/https");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->protocol, config::ClusterProtocol::kHttps);
  EXPECT_EQ(tls->tls_server_name, "app.ns.svc");
}

// The controller judges host names with the proxy's own rule
// (config::check_domain): a name it accepted and the proxy refused made the
// proxy NACK the whole snapshot (issue 10, items 3 and 14).
TEST(CompileApiRoute, RefusesHostnamesTheProxyRefuses) {
  const std::string long_label(64, 'a');
  for (const std::string& host : {std::string("a-.example.com"), std::string("-a.example.com"),
                                  long_label + ".example.com"}) {
    const auto r = run(kApp + route("bad", "2026-01-01T00:00:00Z",
                                    "{hostnames: ['" + host +
                                        "'], rules: [{backends: [{name: app, port: 80}]}]}"));
    const auto* v = find_verdict(r, "APIRoute", "bad");
    ASSERT_NE(v, nullptr) << host;
    EXPECT_FALSE(v->accepted) << host;
    EXPECT_EQ(reason_name(v->accepted_reason), "InvalidValue") << host;
    EXPECT_NE(v->accepted_message.find("spec.hostnames[0]"), std::string::npos)
        << v->accepted_message;
    auto validated = config::validate_snapshot(r.snapshot);
    EXPECT_TRUE(validated.ok()) << host << ": "
                                << (validated.ok() ? "" : validated.error().to_string());
  }
}

struct RejectCase {
  std::string name;
  std::string spec;
  std::string reason;
  std::string message_part;
};

TEST(CompileApiRoute, RejectionsNameTheField) {
  const std::vector<RejectCase> cases = {
      {"regex path",
       "{rules: [{matches: [{path: {type: RegularExpression, value: '(a'}}], backends: [{name: "
       "app, port: 80}]}]}",
       "InvalidRegex", "spec.rules[0].matches[0].path.value"},
      {"regex query",
       "{rules: [{matches: [{queryParams: [{name: q, type: RegularExpression, value: '[z-a]'}]}], "
       "backends: [{name: app, port: 80}]}]}",
       "InvalidRegex", "queryParams[0].value"},
      {"template",
       "{rules: [{matches: [{path: {type: Template, value: '/a/{1x}'}}], backends: [{name: app, "
       "port: 80}]}]}",
       "InvalidTemplate", "1x"},
      {"template duplicate",
       "{rules: [{matches: [{path: {type: Template, value: '/{a}/{a}'}}], backends: [{name: app, "
       "port: 80}]}]}",
       "InvalidTemplate", "duplicate capture \"a\""},  // the proxy's wording (one rule)
      {"rewrite capture",
       "{rules: [{matches: [{path: {type: Template, value: '/{a}'}}], rewrite: {fullPath: '/{b}'}, "
       "backends: [{name: app, port: 80}]}]}",
       "InvalidTemplate", "{b}"},
      {"prefix rewrite on exact",
       "{rules: [{matches: [{path: {type: Exact, value: /a}}], rewrite: {pathPrefix: /b}, "
       "backends: [{name: app, port: 80}]}]}",
       "InvalidValue", "rewrite.pathPrefix"},
      {"two actions",
       "{rules: [{directResponse: {status: 200}, backends: [{name: app, port: 80}]}]}",
       "InvalidValue", "exactly one"},
      {"redirect code", "{rules: [{redirect: {statusCode: 200}}]}", "InvalidValue", "statusCode"},
      {"duplicate rule",
       "{rules: [{name: a, directResponse: {status: 200}}, {name: a, directResponse: {status: "
       "200}}]}",
       "InvalidValue", "used twice"},
      {"bad duration", "{rules: [{timeouts: {request: soon}, backends: [{name: app, port: 80}]}]}",
       "InvalidValue", "timeouts.request"},
      {"header injection",
       "{rules: [{requestHeaders: {set: [{name: X, value: \"a\\r\\nB: c\"}]}, backends: [{name: "
       "app, port: 80}]}]}",
       "InvalidValue", "line break"},
      {"bad hostname", "{hostnames: ['a b'], rules: [{backends: [{name: app, port: 80}]}]}",
       "InvalidValue", "spec.hostnames[0]"},
      {"no rules", "{rules: []}", "InvalidValue", "spec.rules"},
  };
  for (const auto& c : cases) {
    const auto r =
        run(kApp + route("bad", "2026-01-01T00:00:00Z", c.spec) +
            route("good", "2026-01-01T00:00:00Z",
                  "{hostnames: [good.example.com], rules: [{backends: [{name: app, port: 80}]}]}"));
    const auto* v = find_verdict(r, "APIRoute", "bad");
    ASSERT_NE(v, nullptr) << c.name;
    EXPECT_FALSE(v->accepted) << c.name;
    EXPECT_EQ(reason_name(v->accepted_reason), c.reason) << c.name;
    EXPECT_NE(v->accepted_message.find(c.message_part), std::string::npos)
        << c.name << ": " << v->accepted_message;
    EXPECT_TRUE(find_verdict(r, "APIRoute", "good")->accepted) << c.name;
    EXPECT_NE(find_host(r, "good.example.com"), nullptr) << c.name << ": others keep serving";
    EXPECT_EQ(find_host(r, "*"), nullptr) << c.name << ": the bad route is left out";
  }
}

TEST(CompileApiRoute, MissingReferencesKeepTheRouteWithResolvedRefsFalse) {
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{tls: {secretName: gone}, rules: [{backends: [{name: app, port: "
                                  "80}, {name: ghost, port: 80}]}]}"));
  const auto* v = find_verdict(r, "APIRoute", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->accepted);
  EXPECT_FALSE(v->resolved_refs);
  EXPECT_EQ(reason_name(v->resolved_reason), "BackendNotFound");
  EXPECT_NE(v->resolved_message.find("Service ns/ghost not found"), std::string::npos);
  EXPECT_NE(v->resolved_message.find("Secret ns/gone not found"), std::string::npos);
  const auto* ghost = find_cluster(r, "ns/ghost/80");
  ASSERT_NE(ghost, nullptr);
  EXPECT_TRUE(ghost->endpoints.empty());  // the proxy answers 503 for that share
}

TEST(CompileApiRoute, DefaultsMergeAndPoliciesPassThrough) {
  const auto r = run(
      kApp + route("r", "2026-01-01T00:00:00Z",
                   "{defaults: {timeouts: {request: 10s, idle: 1m}, cors: {allowOrigins: ['*']}, "
                   "retries: {attempts: 2}}, "
                   "rules: [{timeouts: {request: 2s}, backends: [{name: app, port: 80}]}]}"));
  const auto& rt = find_host(r, "*")->routes.at(0);
  EXPECT_EQ(rt.timeouts.request, config::Duration(2000));  // the rule wins
  EXPECT_EQ(rt.timeouts.idle, config::Duration(60000));    // the default fills in
  ASSERT_TRUE(rt.policies.cors.has_value());
  EXPECT_EQ(rt.policies.cors->allow_origins.at(0), "*");
  ASSERT_TRUE(rt.policies.retries.has_value());
  const auto* v = find_verdict(r, "APIRoute", "r");
  EXPECT_TRUE(v->accepted);
  // retries and cors are both enforced: neither is listed as "not enforced".
  EXPECT_EQ(v->accepted_message.find("retries"), std::string::npos) << v->accepted_message;
  EXPECT_EQ(v->accepted_message.find("cors"), std::string::npos) << v->accepted_message;
}

// auth fails closed until the proxy enforces it: a rule that asks for
// authentication is never served without it.
TEST(CompileApiRoute, AuthFailsClosedUntilEnforced) {
  struct Case {
    const char* name;
    const char* spec;
    bool accepted;
  };
  const Case cases[] = {
      {"rule auth",
       "{rules: [{auth: {apiKey: {header: X-Api-Key, secretRef: {name: keys}}}, backends: [{name: "
       "app, port: 80}]}]}",
       false},
      // An enforced method (auth.jwt, auth.oauth2Introspection) is served
      // from defaults too; its missing Secret only closes the rule
      // (ResolvedRefs=False: compile_auth_test.cc).
      {"defaults auth",
       "{defaults: {auth: {oauth2Introspection: {endpoint: 'https://id.example.com/introspect', "
       "clientSecretRef: {name: creds}}}}, rules: [{backends: [{name: app, port: 80}]}]}",
       true},
      {"empty auth overrides defaults",
       "{defaults: {auth: {jwt: {issuer: 'https://id.example.com', jwksUri: "
       "'https://id.example.com/jwks'}}}, rules: [{auth: {}, backends: [{name: app, port: 80}]}]}",
       true},
  };
  // A proxy that enforces auth.jwt and auth.oauth2Introspection but not
  // auth.apiKey, pinned so that the cases keep their meaning now that every
  // method has landed.
  compile::CompileOptions jwt_only = testing::test_options();
  jwt_only.policy_enforced = [](std::string_view policy) {
    return policy == "cors" || policy == "auth.jwt" || policy == "auth.oauth2Introspection";
  };
  for (const auto& c : cases) {
    const auto r = compile::compile(
        testing::state_from_yaml(kApp + route("r", "2026-01-01T00:00:00Z", c.spec)), jwt_only, {});
    const auto* v = find_verdict(r, "APIRoute", "r");
    ASSERT_NE(v, nullptr) << c.name;
    EXPECT_EQ(v->accepted, c.accepted) << c.name;
    if (!c.accepted) {
      EXPECT_EQ(reason_name(v->accepted_reason), "PolicyNotEnforced") << c.name;
      EXPECT_NE(v->accepted_message.find("spec.rules[0].auth"), std::string::npos)
          << v->accepted_message;
      EXPECT_EQ(find_host(r, "*"), nullptr) << c.name;  // nothing served
    } else {
      EXPECT_NE(find_host(r, "*"), nullptr) << c.name;
    }
  }
}

// aggregate is not served by a proxy that does not enforce it (pinned
// here: this proxy does, compile_aggregate_test.cc): the rule says why
// (PolicyNotEnforced), rather than "exactly one of backends, ...".
TEST(CompileApiRoute, AggregateIsPolicyNotEnforced) {
  compile::CompileOptions without_aggregate = testing::test_options();
  without_aggregate.policy_enforced = [](std::string_view policy) { return policy != "aggregate"; };
  const auto r = compile::compile(
      testing::state_from_yaml(kApp + route("r", "2026-01-01T00:00:00Z",
                                            "{rules: [{aggregate: {parts: [{name: order, backend: "
                                            "{name: app, port: 80}, path: /orders}]}}]}")),
      without_aggregate, {});
  const auto* v = find_verdict(r, "APIRoute", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->accepted);
  EXPECT_EQ(reason_name(v->accepted_reason), "PolicyNotEnforced");
  EXPECT_NE(v->accepted_message.find("spec.rules[0].aggregate"), std::string::npos)
      << v->accepted_message;
  EXPECT_EQ(find_host(r, "*"), nullptr);  // nothing served
}

// The controller decodes policies with the proxy's decoders: what the CRD's
// CEL would catch is still caught (InvalidValue), naming the rule's field.
TEST(CompileApiRoute, TypedPolicyErrorsAreInvalidValueNamingTheField) {
  struct Case {
    const char* spec;
    const char* message;
  };
  const Case cases[] = {
      {"{rules: [{cors: {allowOrigins: ['*'], allowCredentials: true}, backends: [{name: app, "
       "port: 80}]}]}",
       "spec.rules[0].cors.allowCredentials: allowCredentials cannot be used with the '*' origin"},
      {"{rules: [{name: a, backends: [{name: app, port: 80}]}, {rateLimit: {requests: 1, "
       "period: 1m, header: X-Tenant}, backends: [{name: app, port: 80}]}]}",
       "spec.rules[1].rateLimit.header: header is only allowed when key is Header"},
      {"{defaults: {retries: {attempts: 1, backoff: {base: 1s, max: 10ms}}}, rules: [{backends: "
       "[{name: app, port: 80}]}]}",
       "spec.rules[0].retries.backoff.base: base must not be longer than max"},
      {"{rules: [{cache: {ttl: 0s}, backends: [{name: app, port: 80}]}]}",
       "spec.rules[0].cache.ttl: ttl must be longer than 0s"},
      {"{rules: [{circuitBreaker: {maxConnection: 1}, backends: [{name: app, port: 80}]}]}",
       "spec.rules[0].circuitBreaker.maxConnection: unknown field"},
      // A limit keyed on the caller without the auth that names the caller.
      {"{rules: [{rateLimit: {requests: 1, period: 1m, key: APIKey}, backends: [{name: app, "
       "port: 80}]}]}",
       "spec.rules[0].rateLimit.key: APIKey needs auth.apiKey on the same rule"},
      {"{rules: [{rateLimit: {requests: 1, period: 1m, key: User}, backends: [{name: app, "
       "port: 80}]}]}",
       "spec.rules[0].rateLimit.key: User needs auth on the same rule"},
  };
  for (const auto& c : cases) {
    const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z", c.spec));
    const auto* v = find_verdict(r, "APIRoute", "r");
    ASSERT_NE(v, nullptr) << c.spec;
    EXPECT_FALSE(v->accepted) << c.spec;
    EXPECT_EQ(reason_name(v->accepted_reason), "InvalidValue") << c.spec;
    EXPECT_NE(v->accepted_message.find(c.message), std::string::npos) << v->accepted_message;
  }
}

TEST(CompileApiRoute, RetriesOnAliasCompilesToOneTypedList) {
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{rules: [{retries: {attempts: 2, 'on': [reset]}, backends: "
                                  "[{name: app, port: 80}]}]}"));
  const auto& rt = find_host(r, "*")->routes.at(0);
  ASSERT_TRUE(rt.policies.retries.has_value());
  EXPECT_EQ(rt.policies.retries->retry_on, std::vector<config::RetryOn>{config::RetryOn::kReset});
  EXPECT_EQ(rt.policies.retries->attempts, 2u);
}

TEST(CompileConflicts, OlderWinsAcrossKindsAndNames) {
  // "a-new" sorts first by name but is younger: age decides, not name.
  const auto r = run(
      kApp +
      route("a-new", "2026-02-01T00:00:00Z",
            "{hostnames: [x.example.com], rules: [{matches: [{path: {type: Exact, value: /p}, "
            "methods: [POST, GET]}], backends: [{name: app, port: 80}]}]}") +
      route("z-old", "2026-01-01T00:00:00Z",
            "{hostnames: [x.example.com], rules: [{matches: [{path: {type: Exact, value: /p}, "
            "methods: [GET, POST]}], backends: [{name: app, port: 80}]}]}") +
      route("other-method", "2026-03-01T00:00:00Z",
            "{hostnames: [x.example.com], rules: [{matches: [{path: {type: Exact, value: /p}, "
            "methods: [PUT]}], backends: [{name: app, port: 80}]}]}") +
      ingress("ing", "",
              "{ingressClassName: archway, rules: [{host: x.example.com, http: {paths: [{path: /p, "
              "pathType: Exact, backend: {service: {name: app, port: {number: 80}}}}]}}]}"));
  const auto* loser = find_verdict(r, "APIRoute", "a-new");
  EXPECT_FALSE(loser->accepted);
  EXPECT_EQ(reason_name(loser->accepted_reason), "Conflicted");
  EXPECT_NE(loser->accepted_message.find("APIRoute ns/z-old"), std::string::npos);
  EXPECT_TRUE(find_verdict(r, "APIRoute", "z-old")->accepted);
  EXPECT_TRUE(find_verdict(r, "APIRoute", "other-method")->accepted);  // different methods
  // Same creation time as z-old? No: the Ingress is 2026-01-01 too; tie → namespace/name.
  const auto* ing = find_verdict(r, "Ingress", "ing");
  EXPECT_TRUE(ing->accepted);  // "ns/ing" < "ns/z-old" at equal age
  EXPECT_FALSE(reason_name(find_verdict(r, "APIRoute", "z-old")->accepted_reason) == "Conflicted" &&
               reason_name(ing->accepted_reason) == "Conflicted");
}

TEST(CompileHosts, RulesFromSeveralObjectsMergeOntoOneHost) {
  const auto r = run(kApp +
                     route("one", "2026-01-01T00:00:00Z",
                           "{hostnames: [m.example.com, '*.example.org'], rules: [{name: a, "
                           "matches: [{path: {value: /a}}], backends: [{name: app, port: 80}]}]}") +
                     route("two", "2026-01-02T00:00:00Z",
                           "{hostnames: [M.EXAMPLE.COM], rules: [{name: b, matches: [{path: "
                           "{value: /b}}], directResponse: {status: 204}}]}"));
  const auto* vh = find_host(r, "m.example.com");
  ASSERT_NE(vh, nullptr);
  ASSERT_EQ(vh->routes.size(), 2u);
  // Hosts sort "*.example.org" first, so it keeps the plain name.
  EXPECT_EQ(vh->routes[0].name, "ns/one/a@m.example.com");
  EXPECT_EQ(vh->routes[1].name, "ns/two/b");
  const auto* wildcard = find_host(r, "*.example.org");
  ASSERT_NE(wildcard, nullptr);
  EXPECT_EQ(wildcard->domains, std::vector<std::string>{"*.example.org"});
  EXPECT_EQ(wildcard->routes[0].name, "ns/one/a");  // names stay unique across hosts
  EXPECT_EQ(wildcard->routes[0].route_name, "ns/one");
}

TEST(CompileLastKnownGood, AnOlderValidGenerationKeepsServing) {
  ClusterState good_state = testing::state_from_yaml(
      kApp + route("r", "2026-01-01T00:00:00Z",
                   "{rules: [{matches: [{path: {type: RegularExpression, value: '^/ok$'}}], "
                   "backends: [{name: app, port: 80}]}]}",
                   1));
  ObjectMap last_good = good_state.api_routes;
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{rules: [{matches: [{path: {type: RegularExpression, value: "
                                  "'^/(bad$'}}], backends: [{name: app, port: 80}]}]}",
                                  2),
                     last_good);
  const auto* v = find_verdict(r, "APIRoute", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->generation, 2);
  EXPECT_FALSE(v->accepted);
  EXPECT_EQ(reason_name(v->accepted_reason), "InvalidRegex");
  EXPECT_TRUE(v->stale_generation_serving);
  ASSERT_NE(find_host(r, "*"), nullptr);
  EXPECT_EQ(find_host(r, "*")->routes[0].matches[0].path.value, "^/ok$");

  // Without a last good generation nothing serves.
  const auto fresh = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                      "{rules: [{matches: [{path: {type: RegularExpression, value: "
                                      "'^/(bad$'}}], backends: [{name: app, port: 80}]}]}",
                                      2));
  EXPECT_FALSE(find_verdict(fresh, "APIRoute", "r")->stale_generation_serving);
  EXPECT_EQ(find_host(fresh, "*"), nullptr);
}

const std::string kIngressGood =
    "{ingressClassName: archway, rules: [{host: a.example.com, http: {paths: [{path: /ok, "
    "pathType: Exact, backend: {service: {name: app, port: {number: 80}}}}]}}]}";
const std::string kIngressBad =
    "{ingressClassName: archway, rules: [{host: a.example.com, http: {paths: [{path: /new, "
    "pathType: Exact, backend: {resource: {apiGroup: x.io, kind: Bucket, name: b}}}]}}]}";

TEST(CompileLastKnownGood, AnIngressKeepsItsOldRulesServing) {
  const ClusterState good =
      testing::state_from_yaml(kApp + ingress("web", ", uid: u1, generation: 1", kIngressGood));
  const ClusterState bad =
      testing::state_from_yaml(kApp + ingress("web", ", uid: u1, generation: 2", kIngressBad));
  const auto r = compile::compile(bad, testing::test_options(), {{}, good.ingresses});
  const auto* v = find_verdict(r, "Ingress", "web");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->accepted);
  EXPECT_EQ(reason_name(v->accepted_reason), "UnsupportedValue");
  EXPECT_TRUE(v->stale_generation_serving);
  EXPECT_EQ(v->served_generation, 1);
  ASSERT_NE(find_host(r, "a.example.com"), nullptr);
  EXPECT_EQ(find_host(r, "a.example.com")->routes[0].matches[0].path.value, "/ok");

  // Another object with the same name (deleted and re-created) never
  // inherits the old one's rules.
  const ClusterState recreated =
      testing::state_from_yaml(kApp + ingress("web", ", uid: u2, generation: 2", kIngressBad));
  const auto fresh = compile::compile(recreated, testing::test_options(), {{}, good.ingresses});
  EXPECT_FALSE(find_verdict(fresh, "Ingress", "web")->stale_generation_serving);
  EXPECT_EQ(find_host(fresh, "a.example.com"), nullptr);
}

TEST(CompileLastKnownGood, ServedGenerationSaysWhatIsInTheSnapshot) {
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{rules: [{backends: [{name: app, port: 80}]}]}", 7));
  EXPECT_EQ(find_verdict(r, "APIRoute", "r")->served_generation, 7);
  const auto bad = run(kApp + route("r", "2026-01-01T00:00:00Z", "{rules: []}", 8));
  EXPECT_EQ(find_verdict(bad, "APIRoute", "r")->served_generation, 0);
}

TEST(CompileTimeouts, ZeroSecondsMeansDisabledAndTheProxyAcceptsIt) {
  const auto r = run(kApp + route("r", "2026-01-01T00:00:00Z",
                                  "{rules: [{timeouts: {request: 0s, idle: 0s}, backends: [{name: "
                                  "app, port: 80}]}]}"));
  const auto* v = find_verdict(r, "APIRoute", "r");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->accepted) << reason_name(v->accepted_reason) << ": " << v->accepted_message;
  ASSERT_NE(find_host(r, "*"), nullptr);
  EXPECT_EQ(find_host(r, "*")->routes[0].timeouts.request, config::Duration{0});
  auto valid = config::validate_snapshot(r.snapshot);
  EXPECT_TRUE(valid.ok()) << valid.error().to_string();
}

// A stand-in for a proxy validator stricter than compile: refuses any route
// whose path match is /refused, naming the field as the real one does.
Result<void> refuses_path(const config::Snapshot& s) {
  for (size_t i = 0; i < s.virtual_hosts.size(); ++i) {
    for (size_t j = 0; j < s.virtual_hosts[i].routes.size(); ++j) {
      const auto& matches = s.virtual_hosts[i].routes[j].matches;
      if (!matches.empty() && matches[0].path.value == "/refused") {
        return invalid("virtualHosts[" + std::to_string(i) + "].routes[" + std::to_string(j) +
                           "].matches[0].path.value",
                       "refused by the proxy");
      }
    }
  }
  return compile::proxy_validates(s);
}

std::string path_route(const std::string& name, const std::string& path, int generation = 1) {
  return route(name, "2026-01-01T00:00:00Z",
               "{rules: [{name: main, matches: [{path: {type: Exact, value: " + path +
                   "}}], backends: [{name: app, port: 80}]}]}",
               generation);
}

TEST(CompileProxyGuard, AnObjectTheProxyWouldRefuseIsLeftOutAndTheOthersServe) {
  auto options = testing::test_options();
  options.check_snapshot = refuses_path;
  const auto r =
      compile::compile(testing::state_from_yaml(kApp + path_route("bad", "/refused") +
                                                path_route("a", "/a") + path_route("z", "/z")),
                       options, {});
  const auto* bad = find_verdict(r, "APIRoute", "bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->accepted);
  EXPECT_EQ(reason_name(bad->accepted_reason), "InvalidForProxy");
  EXPECT_EQ(bad->accepted_message,
            "the proxy refuses this object's output: route \"ns/bad/main\" "
            "matches[0].path.value: refused by the proxy");
  EXPECT_EQ(bad->served_generation, 0);
  EXPECT_TRUE(find_verdict(r, "APIRoute", "a")->accepted);
  EXPECT_TRUE(find_verdict(r, "APIRoute", "z")->accepted);
  ASSERT_NE(find_host(r, "*"), nullptr);
  EXPECT_EQ(find_host(r, "*")->routes.size(), 2u);
  EXPECT_TRUE(refuses_path(r.snapshot).ok()) << "what is pushed passes the proxy's check";
  EXPECT_EQ(r.snapshot.version, "test");
}

TEST(CompileProxyGuard, ARefusedNewGenerationFallsBackToTheLastGood) {
  auto options = testing::test_options();
  options.check_snapshot = refuses_path;
  const ClusterState good = testing::state_from_yaml(kApp + path_route("r", "/old", 1));
  const auto r = compile::compile(testing::state_from_yaml(kApp + path_route("r", "/refused", 2)),
                                  options, {good.api_routes, {}});
  const auto* v = find_verdict(r, "APIRoute", "r");
  EXPECT_FALSE(v->accepted);
  EXPECT_EQ(reason_name(v->accepted_reason), "InvalidForProxy");
  EXPECT_TRUE(v->stale_generation_serving);
  EXPECT_EQ(v->served_generation, 1);
  EXPECT_EQ(find_host(r, "*")->routes[0].matches[0].path.value, "/old");
}

TEST(CompileProxyGuard, AValidSnapshotIsCheckedOnce) {
  int checks = 0;
  auto options = testing::test_options();
  options.check_snapshot = [&](const config::Snapshot& s) {
    ++checks;
    return compile::proxy_validates(s);
  };
  (void)compile::compile(
      testing::state_from_yaml(kApp + path_route("a", "/a") + path_route("b", "/b")), options, {});
  EXPECT_EQ(checks, 1);
}

TEST(CompileDeterminism, OnlyTheVersionDiffers) {
  const std::string yaml = kApp + route("r", "2026-01-01T00:00:00Z",
                                        "{hostnames: [b.example.com, a.example.com], rules: "
                                        "[{backends: [{name: app, port: 80}]}]}");
  auto options = testing::test_options();
  const auto one = compile::compile(testing::state_from_yaml(yaml), options, {});
  options.version = "other";
  auto two = compile::compile(testing::state_from_yaml(yaml), options, {});
  EXPECT_EQ(two.snapshot.version, "other");
  two.snapshot.version = one.snapshot.version;
  EXPECT_EQ(config::to_json(one.snapshot), config::to_json(two.snapshot));
  EXPECT_EQ(one.snapshot.virtual_hosts[0].name, "a.example.com");  // sorted
  ASSERT_EQ(one.snapshot.listeners.size(), 2u);
  EXPECT_EQ(one.snapshot.listeners[0].port, 8080);
  EXPECT_TRUE(one.snapshot.listeners[1].tls);
}

}  // namespace
}  // namespace archway::controller
