// ingress-nginx annotations imported on Ingress (docs/migration.md): one
// table row per supported annotation (input Ingress → the typed snapshot
// fields it must produce), a table of hostile values that must all be
// refused with nothing reaching the snapshot, the Warning Events for what is
// not honoured, the opt-in, and canary merging.
// tests/testdata/controller/ingress_nginx.* shows a whole snapshot.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "controller/compile/compile.h"
#include "controller/compile/nginx_annotations/annotation_values.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller::compile {
namespace {

using testing::find_verdict;
using testing::state_from_yaml;

const std::string kServices = testing::service_yaml("app", "10.96.0.1", "10.0.0.1") +
                              testing::service_yaml("canary", "10.96.0.2", "10.0.0.2");

// An Ingress "web" in namespace ns: `annotations` (YAML flow mapping
// entries), one rule on a.example.com with `path` of `path_type` to app:80.
std::string ingress(const std::string& name, const std::string& annotations,
                    const std::string& path = "/", const std::string& path_type = "Prefix",
                    const std::string& service = "app", const std::string& extra_spec = "") {
  return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + name +
         ", namespace: ns, uid: u-" + name +
         ", generation: 1, creationTimestamp: \"2026-01-01T00:00:00Z\", annotations: {" +
         annotations + "}}\nspec: {ingressClassName: archway" + extra_spec +
         ", rules: [{host: a.example.com, http: {paths: [{path: '" + path +
         "', pathType: " + path_type + ", backend: {service: {name: " + service +
         ", port: {number: 80}}}}]}}]}\n";
}

CompileResult compile_with_import(const std::string& objects, bool on = true) {
  CompileOptions options = testing::test_options();
  options.nginx_annotations = on;
  return compile::compile(state_from_yaml(kServices + objects), options, {});
}

const config::VirtualHost* host(const CompileResult& r, const std::string& name) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    if (vh.name == name) return &vh;
  }
  return nullptr;
}

const config::Cluster* cluster(const CompileResult& r, const std::string& name) {
  for (const auto& c : r.snapshot.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The one route of Ingress "web" on a.example.com.
const config::Route& only_route(const CompileResult& r) {
  static const config::Route none;
  const auto* vh = host(r, "a.example.com");
  if (vh == nullptr || vh->routes.size() != 1) {
    ADD_FAILURE() << "expected one route on a.example.com";
    return none;
  }
  return vh->routes[0];
}

std::vector<std::string> warning_reasons(const ObjectVerdict& v) {
  std::vector<std::string> out;
  for (const auto& [reason, message] : v.warnings) out.emplace_back(reason_name(reason));
  return out;
}

using std::chrono::milliseconds;

struct Supported {
  std::string name;
  std::string annotations;
  std::string path = "/";
  std::string path_type = "Prefix";
  std::function<void(const CompileResult&, const config::Route&)> check;
};

constexpr const char* P = "nginx.ingress.kubernetes.io/";

std::string a(const std::string& name, const std::string& value) {
  return std::string(P) + name + ": \"" + value + "\"";
}

TEST(NginxAnnotations, EachSupportedAnnotationFillsTheTypedFields) {
  const std::vector<Supported> cases = {
      {"use-regex", a("use-regex", "true"), "/api/v[0-9]+", "ImplementationSpecific",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.matches.at(0).path.type, config::PathMatchType::kRegularExpression);
         EXPECT_EQ(r.matches.at(0).path.value, "(?i)(?:/api/v[0-9]+).*");
         EXPECT_FALSE(r.rewrite.full_path.has_value());
       }},
      {"rewrite-target with captures", a("rewrite-target", "/$2"), "/something(/|$)(.*)",
       "ImplementationSpecific",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.matches.at(0).path.type, config::PathMatchType::kRegularExpression);
         EXPECT_EQ(r.matches.at(0).path.value, "(?i)(?:/something(/|$)(.*)).*");
         EXPECT_EQ(r.rewrite.full_path, "/{2}");
       }},
      {"rewrite-target plain", a("rewrite-target", "/"), "/app", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.matches.at(0).path.value, "(?i)(?:/app).*");
         EXPECT_EQ(r.rewrite.full_path, "/");
       }},
      {"use-regex leaves Exact alone", a("use-regex", "true"), "/exact", "Exact",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.matches.at(0).path.type, config::PathMatchType::kExact);
         EXPECT_EQ(r.matches.at(0).path.value, "/exact");
       }},
      {"force-ssl-redirect", a("force-ssl-redirect", "true"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) { EXPECT_EQ(r.https_redirect, 308); }},
      {"ssl-redirect without TLS does nothing", a("ssl-redirect", "true"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_FALSE(r.https_redirect.has_value());
       }},
      {"backend-protocol GRPC", a("backend-protocol", "GRPC"), "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         EXPECT_EQ(r.backends.at(0).cluster, "ns/app/80/h2c");
         ASSERT_NE(cluster(res, "ns/app/80/h2c"), nullptr);
         EXPECT_EQ(cluster(res, "ns/app/80/h2c")->protocol, config::ClusterProtocol::kH2c);
       }},
      {"backend-protocol H2C", a("backend-protocol", "H2C"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.backends.at(0).cluster, "ns/app/80/h2c");
       }},
      {"backend-protocol HTTPS", a("backend-protocol", "HTTPS"), "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         EXPECT_EQ(r.backends.at(0).cluster, "ns/app/80/https");
         EXPECT_EQ(cluster(res, "ns/app/80/https")->protocol, config::ClusterProtocol::kHttps);
       }},
      {"backend-protocol GRPCS", a("backend-protocol", "GRPCS"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.backends.at(0).cluster, "ns/app/80/https");
       }},
      {"backend-protocol HTTP", a("backend-protocol", "HTTP"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.backends.at(0).cluster, "ns/app/80");
       }},
      {"proxy-connect-timeout", a("proxy-connect-timeout", "7"), "/", "Prefix",
       [](const CompileResult& res, const config::Route&) {
         EXPECT_EQ(cluster(res, "ns/app/80")->connect_timeout, milliseconds(7000));
       }},
      {"proxy-read-timeout and proxy-send-timeout",
       a("proxy-read-timeout", "120") + ", " + a("proxy-send-timeout", "30s"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.timeouts.idle, milliseconds(120000));
       }},
      {"proxy-next-upstream and -tries",
       a("proxy-next-upstream", "error timeout http_503") + ", " +
           a("proxy-next-upstream-tries", "4"),
       "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.retries.has_value());
         EXPECT_EQ(r.policies.retries->attempts, 3u);
         EXPECT_EQ(r.policies.retries->retry_on,
                   (std::vector<config::RetryOn>{config::RetryOn::kConnectFailure,
                                                 config::RetryOn::kRefusedStream,
                                                 config::RetryOn::kReset}));
         EXPECT_EQ(r.policies.retries->status_codes, (std::vector<uint16_t>{503, 504}));
       }},
      {"proxy-next-upstream off", a("proxy-next-upstream", "off"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.retries.has_value());
         EXPECT_EQ(r.policies.retries->attempts, 0u);
       }},
      {"limit-rps", a("limit-rps", "10") + ", " + a("limit-burst-multiplier", "3"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.rate_limit.has_value());
         EXPECT_EQ(r.policies.rate_limit->requests, 10u);
         EXPECT_EQ(r.policies.rate_limit->period, milliseconds(1000));
         EXPECT_EQ(r.policies.rate_limit->burst, 30u);
         EXPECT_EQ(r.policies.rate_limit->key, config::RateLimitKey::kClientIp);
       }},
      {"limit-rpm", a("limit-rpm", "120"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.rate_limit.has_value());
         EXPECT_EQ(r.policies.rate_limit->requests, 120u);
         EXPECT_EQ(r.policies.rate_limit->period, milliseconds(60000));
         EXPECT_EQ(r.policies.rate_limit->burst, 600u);
       }},
      {"enable-cors with defaults", a("enable-cors", "true"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.cors.has_value());
         EXPECT_EQ(r.policies.cors->allow_origins, std::vector<std::string>{"*"});
         EXPECT_EQ(r.policies.cors->allow_methods,
                   (std::vector<std::string>{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS"}));
         EXPECT_FALSE(r.policies.cors->allow_credentials);  // never with "*"
         EXPECT_EQ(r.policies.cors->max_age, milliseconds(1728000000));
       }},
      {"cors-*",
       a("enable-cors", "true") + ", " +
           a("cors-allow-origin", "https://a.example.com, https://*.b.example.com") + ", " +
           a("cors-allow-methods", "GET, post") + ", " +
           a("cors-allow-headers", "X-Custom, Content-Type") + ", " +
           a("cors-expose-headers", "X-Total") + ", " + a("cors-allow-credentials", "true") + ", " +
           a("cors-max-age", "600"),
       "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.policies.cors.has_value());
         EXPECT_EQ(r.policies.cors->allow_origins,
                   (std::vector<std::string>{"https://a.example.com", "https://*.b.example.com"}));
         EXPECT_EQ(r.policies.cors->allow_methods, (std::vector<std::string>{"GET", "POST"}));
         EXPECT_EQ(r.policies.cors->allow_headers,
                   (std::vector<std::string>{"x-custom", "content-type"}));
         EXPECT_EQ(r.policies.cors->expose_headers, std::vector<std::string>{"x-total"});
         EXPECT_TRUE(r.policies.cors->allow_credentials);
         EXPECT_EQ(r.policies.cors->max_age, milliseconds(600000));
       }},
      {"permanent-redirect", a("permanent-redirect", "https://www.example.org/new"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.redirect.has_value());
         EXPECT_TRUE(r.backends.empty());
         EXPECT_EQ(r.redirect->scheme, "https");
         EXPECT_EQ(r.redirect->hostname, "www.example.org");
         EXPECT_EQ(r.redirect->path, "/new");
         EXPECT_EQ(r.redirect->status_code, 301);
       }},
      {"permanent-redirect-code",
       a("permanent-redirect", "http://x.example.org:8080") + ", " +
           a("permanent-redirect-code", "308"),
       "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.redirect.has_value());
         EXPECT_EQ(r.redirect->port, 8080);
         EXPECT_EQ(r.redirect->path, "/");
         EXPECT_EQ(r.redirect->status_code, 308);
       }},
      {"temporal-redirect", a("temporal-redirect", "https://maintenance.example.org/"), "/",
       "Prefix",
       [](const CompileResult&, const config::Route& r) {
         ASSERT_TRUE(r.redirect.has_value());
         EXPECT_EQ(r.redirect->status_code, 302);
       }},
      {"upstream-hash-by header", a("upstream-hash-by", "$http_x_user"), "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         const auto* c = cluster(res, r.backends.at(0).cluster);
         ASSERT_NE(c, nullptr);
         EXPECT_TRUE(r.backends.at(0).cluster.starts_with("ns/app/80/lb-"));
         ASSERT_TRUE(c->load_balancer.has_value());
         EXPECT_EQ(c->load_balancer->policy, config::BalancerPolicy::kConsistentHash);
         EXPECT_EQ(c->load_balancer->hash_on->header, "x-user");
       }},
      {"upstream-hash-by client address", a("upstream-hash-by", "$remote_addr"), "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         const auto* c = cluster(res, r.backends.at(0).cluster);
         ASSERT_NE(c, nullptr);
         EXPECT_TRUE(c->load_balancer->hash_on->client_address);
       }},
      {"affinity cookie",
       a("affinity", "cookie") + ", " + a("session-cookie-name", "route") + ", " +
           a("session-cookie-max-age", "3600") + ", " + a("session-cookie-path", "/app"),
       "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         const auto* c = cluster(res, r.backends.at(0).cluster);
         ASSERT_NE(c, nullptr);
         ASSERT_TRUE(c->load_balancer->hash_on->cookie.has_value());
         EXPECT_EQ(c->load_balancer->hash_on->cookie->name, "route");
         EXPECT_EQ(c->load_balancer->hash_on->cookie->ttl, milliseconds(3600000));
         EXPECT_EQ(c->load_balancer->hash_on->cookie->path, "/app");
       }},
      {"affinity cookie defaults", a("affinity", "cookie"), "/", "Prefix",
       [](const CompileResult& res, const config::Route& r) {
         const auto* c = cluster(res, r.backends.at(0).cluster);
         ASSERT_NE(c, nullptr);
         EXPECT_EQ(c->load_balancer->hash_on->cookie->name, "INGRESSCOOKIE");
       }},
      {"upstream-vhost", a("upstream-vhost", "internal.example.com"), "/", "Prefix",
       [](const CompileResult&, const config::Route& r) {
         EXPECT_EQ(r.rewrite.hostname, "internal.example.com");
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = compile_with_import(ingress("web", c.annotations, c.path, c.path_type));
    const auto* v = find_verdict(r, "Ingress", "web");
    ASSERT_NE(v, nullptr);
    ASSERT_TRUE(v->accepted) << v->accepted_message;
    EXPECT_TRUE(v->warnings.empty()) << v->warnings.front().second;
    c.check(r, only_route(r));
    // What compile produced, the proxy's own parser accepts.
    auto parsed = config::parse_snapshot_json(config::to_json(r.snapshot));
    EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  }
}

TEST(NginxAnnotations, SslRedirectIsOnByDefaultForATlsHostAndCanBeTurnedOff) {
  const std::string tls = ", tls: [{hosts: [a.example.com]}]";
  const auto on = compile_with_import(ingress("web", "", "/", "Prefix", "app", tls));
  EXPECT_EQ(only_route(on).https_redirect, 308);
  const auto off =
      compile_with_import(ingress("web", a("ssl-redirect", "false"), "/", "Prefix", "app", tls));
  EXPECT_FALSE(only_route(off).https_redirect.has_value());
  // With the import off, Archway's own behaviour: no redirect.
  const auto plain = compile_with_import(ingress("web", "", "/", "Prefix", "app", tls), false);
  EXPECT_FALSE(only_route(plain).https_redirect.has_value());
}

// Each value is hostile or wrong; every one rejects the Ingress, and nothing
// of it reaches the snapshot.
TEST(NginxAnnotations, HostileValuesAreRefusedAndNothingReachesTheSnapshot) {
  struct Hostile {
    std::string annotation;
    std::string value;  // a YAML double-quoted scalar's content
  };
  const std::vector<Hostile> cases = {
      {"rewrite-target", "/$2\\nmore_set_headers x"},
      {"rewrite-target", "/$2; return 200"},
      {"rewrite-target", "/${uri}"},
      {"rewrite-target", "/$uri"},
      {"rewrite-target", "/foo?bar=1"},
      {"rewrite-target", "relative"},
      {"rewrite-target", "/a b"},
      {"rewrite-target", "/$9"},  // more groups than the path has
      {"use-regex", "yes"},
      {"use-regex", "true;"},
      {"ssl-redirect", "true\\n"},
      {"force-ssl-redirect", "1"},
      {"backend-protocol", "GRPC; proxy_pass http://evil"},
      {"backend-protocol", "FCGI"},
      {"backend-protocol", "SMTP"},
      {"proxy-body-size", "8x"},
      {"proxy-body-size", "-1"},
      {"proxy-body-size", "99999999999g"},
      {"proxy-body-size", "8m;"},
      {"proxy-connect-timeout", "-5"},
      {"proxy-connect-timeout", "0"},
      {"proxy-connect-timeout", "10m"},
      {"proxy-read-timeout", "999999999999999999999"},
      {"proxy-read-timeout", "60 }"},
      {"proxy-send-timeout", "1.5"},
      {"proxy-next-upstream", "error; deny all"},
      {"proxy-next-upstream", "sometimes"},
      {"proxy-next-upstream-tries", "-1"},
      {"proxy-next-upstream-tries", "1000"},
      {"limit-rps", "0"},
      {"limit-rps", "10000000000000"},
      {"limit-rps", "ten"},
      {"limit-rpm", "5 }"},
      {"limit-burst-multiplier", "0"},
      {"enable-cors", "true\\nadd_header x y"},
      {"cors-allow-origin", "https://a.example.com\\r\\nX-Evil: 1"},
      {"cors-allow-origin", "javascript:alert(1)"},
      {"cors-allow-methods", "GET, {"},
      {"cors-allow-headers", "X-A;X-B"},
      {"cors-max-age", "-1"},
      {"canary-weight", "101"},
      {"canary-weight", "50%"},
      {"canary-by-header", "X-Canary: always"},
      {"canary-by-header-pattern", "(unclosed"},
      {"canary-by-cookie", "a=b"},
      {"permanent-redirect", "https://example.org/\\\"; return 200 \\\"x"},
      {"permanent-redirect", "javascript:alert(1)"},
      {"permanent-redirect", "https://exa mple.org/"},
      {"permanent-redirect", "https://example.org/?q=1"},
      {"permanent-redirect-code", "200"},
      {"temporal-redirect", "ftp://example.org/"},
      {"upstream-hash-by", "$remote_addr; ${lua}"},
      {"upstream-hash-by", "content_by_lua_block { os.execute('id') }"},
      {"affinity", "ip"},
      {"session-cookie-name", "a b"},
      {"session-cookie-max-age", "-1"},
      {"upstream-vhost", "evil.com;\\nproxy_pass x"},
      {"whitelist-source-range", "10.0.0.0/8"},
      {"allowlist-source-range", "10.0.0.0/8"},
      {"denylist-source-range", "10.0.0.0/8"},
      {"auth-tls-secret", "ns/ca"},
      {"auth-tls-verify-client", "on"},
      {"auth-url", "http://auth.example.com/verify"},
      {"auth-type", "basic"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.annotation + " = " + c.value);
    std::string annotations = std::string(P) + c.annotation + ": \"" + c.value + "\"";
    // A regex path, so that only the annotation can be at fault.
    if (c.annotation != "use-regex") annotations += ", " + a("use-regex", "true");
    if (c.annotation.starts_with("cors-")) annotations += ", " + a("enable-cors", "true");
    if (c.annotation.starts_with("canary-")) annotations += ", " + a("canary", "true");
    if (c.annotation.starts_with("session-")) annotations += ", " + a("affinity", "cookie");
    if (c.annotation.ends_with("-code")) {
      annotations += ", " + a("permanent-redirect", "https://example.org/");
    }
    const auto r = compile_with_import(
        ingress("web", annotations, "/something(/|$)(.*)", "ImplementationSpecific"));
    const auto* v = find_verdict(r, "Ingress", "web");
    ASSERT_NE(v, nullptr);
    EXPECT_FALSE(v->accepted);
    EXPECT_NE(v->accepted_message.find(c.annotation), std::string::npos) << v->accepted_message;
    EXPECT_TRUE(r.snapshot.virtual_hosts.empty());
    // The Warning Event that says so (status turns the verdict into it).
    EXPECT_FALSE(reason_name(v->accepted_reason).empty());
  }
}

TEST(NginxAnnotations, ABadValueKeepsTheLastGoodGenerationServing) {
  const std::string good = ingress("web", a("rewrite-target", "/$1"), "/old(.*)", "Prefix");
  std::string bad = ingress("web", a("rewrite-target", "/$1; evil"), "/new(.*)", "Prefix");
  bad.replace(bad.find("generation: 1"), 13, "generation: 2");
  CompileOptions options = testing::test_options();
  options.nginx_annotations = true;
  const ClusterState last = state_from_yaml(kServices + good);
  const auto r = compile::compile(state_from_yaml(kServices + bad), options, {{}, last.ingresses});
  const auto* v = find_verdict(r, "Ingress", "web");
  ASSERT_NE(v, nullptr);
  EXPECT_FALSE(v->accepted) << bad;
  EXPECT_TRUE(v->stale_generation_serving);
  EXPECT_EQ(only_route(r).matches.at(0).path.value, "(?i)(?:/old(.*)).*");
  EXPECT_EQ(only_route(r).rewrite.full_path, "/{1}");
}

TEST(NginxAnnotations, WhatIsNotHonouredIsNamedInWarnings) {
  const std::string annotations = a("configuration-snippet", "more_set_headers \\\"X-A: b\\\";") +
                                  ", " + a("server-snippet", "location /x { return 200; }") + ", " +
                                  a("proxy-buffering", "on") + ", " + a("limit-connections", "5") +
                                  ", " + a("proxy-body-size", "8m") + ", " +
                                  a("made-up-annotation", "1") + ", " + a("rewrite-target", "/");
  const auto r = compile_with_import(ingress("web", annotations, "/app"));
  const auto* v = find_verdict(r, "Ingress", "web");
  ASSERT_NE(v, nullptr);
  ASSERT_TRUE(v->accepted) << v->accepted_message;
  EXPECT_EQ(warning_reasons(*v),
            (std::vector<std::string>{"SnippetNotHonoured", "AnnotationNotHonoured",
                                      "UnknownAnnotation"}));
  EXPECT_NE(
      v->warnings[0].second.find(std::string(P) + "configuration-snippet, " + P + "server-snippet"),
      std::string::npos);
  EXPECT_NE(v->warnings[1].second.find(std::string(P) + "limit-connections, " + P +
                                       "proxy-body-size, " + P + "proxy-buffering"),
            std::string::npos)
      << v->warnings[1].second;
  EXPECT_NE(v->warnings[2].second.find(std::string(P) + "made-up-annotation"), std::string::npos);
  // The rest still serves.
  EXPECT_EQ(only_route(r).rewrite.full_path, "/");
}

TEST(NginxAnnotations, OffTheyAreIgnoredWithOneWarningAndOptInByIngressClass) {
  const std::string annotations = a("rewrite-target", "/") + ", " + a("enable-cors", "true");
  const auto off = compile_with_import(ingress("web", annotations, "/app"), false);
  const auto* v = find_verdict(off, "Ingress", "web");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->accepted);
  EXPECT_EQ(warning_reasons(*v), std::vector<std::string>{"NginxAnnotationsIgnored"});
  EXPECT_NE(v->warnings[0].second.find(std::string(P) + "enable-cors, " + P + "rewrite-target"),
            std::string::npos);
  EXPECT_EQ(only_route(off).matches.at(0).path.type, config::PathMatchType::kPathPrefix);
  EXPECT_FALSE(only_route(off).policies.cors.has_value());

  // No nginx annotation: no warning.
  const auto none = compile_with_import(ingress("web", "other.io/x: y", "/app"), false);
  EXPECT_TRUE(find_verdict(none, "Ingress", "web")->warnings.empty());

  // The IngressClass opts in.
  const std::string opted_class =
      "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: archway, "
      "annotations: {archway.dev/nginx-annotations: \"true\"}}\nspec: {controller: "
      "archway.dev/ingress-controller}\n";
  const auto by_class =
      compile_with_import(opted_class + ingress("web", annotations, "/app"), false);
  EXPECT_TRUE(find_verdict(by_class, "Ingress", "web")->warnings.empty());
  EXPECT_EQ(only_route(by_class).rewrite.full_path, "/");
  EXPECT_TRUE(only_route(by_class).policies.cors.has_value());
}

TEST(NginxAnnotations, ACanaryByWeightSplitsTheMainRoute) {
  const auto r = compile_with_import(ingress("main", "") +
                                     ingress("main-canary",
                                             a("canary", "true") + ", " + a("canary-weight", "20"),
                                             "/", "Prefix", "canary"));
  const auto* vh = host(r, "a.example.com");
  ASSERT_NE(vh, nullptr);
  ASSERT_EQ(vh->routes.size(), 1u);
  EXPECT_EQ(vh->routes[0].backends,
            (std::vector<config::WeightedBackend>{{"ns/app/80", 80}, {"ns/canary/80", 20}}));
  EXPECT_NE(cluster(r, "ns/canary/80"), nullptr);
  EXPECT_TRUE(find_verdict(r, "Ingress", "main-canary")->accepted);
  EXPECT_TRUE(find_verdict(r, "Ingress", "main-canary")->warnings.empty());
  auto parsed = config::parse_snapshot_json(config::to_json(r.snapshot));
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
}

TEST(NginxAnnotations, ACanaryByHeaderAndCookieAddsMatchingRoutes) {
  const auto r = compile_with_import(
      ingress("main", "") + ingress("main-canary",
                                    a("canary", "true") + ", " + a("canary-by-header", "X-Canary") +
                                        ", " + a("canary-by-cookie", "canary"),
                                    "/", "Prefix", "canary"));
  const auto* vh = host(r, "a.example.com");
  ASSERT_NE(vh, nullptr);
  std::map<std::string, const config::Route*> by_rule;
  for (const auto& route : vh->routes) by_rule[route.rule_name] = &route;
  ASSERT_EQ(by_rule.size(), 5u);
  const auto& always = *by_rule.at("rule-0-path-0-canary-header");
  EXPECT_EQ(
      always.matches.at(0).headers,
      (std::vector<config::ValueMatch>{{"x-canary", config::ValueMatchType::kExact, "always"}}));
  EXPECT_EQ(always.backends, (std::vector<config::WeightedBackend>{{"ns/canary/80", 1}}));
  const auto& never = *by_rule.at("rule-0-path-0-canary-header-never");
  EXPECT_EQ(never.backends, (std::vector<config::WeightedBackend>{{"ns/app/80", 1}}));
  const auto& cookie = *by_rule.at("rule-0-path-0-canary-cookie");
  EXPECT_EQ(cookie.matches.at(0).headers.at(0).name, "cookie");
  EXPECT_EQ(cookie.matches.at(0).headers.at(0).value, "(.*;\\s*)?canary=always(\\s*;.*)?");
  // Without a weight the main route keeps its one backend.
  EXPECT_EQ(by_rule.at("rule-0-path-0")->backends,
            (std::vector<config::WeightedBackend>{{"ns/app/80", 1}}));
  auto parsed = config::parse_snapshot_json(config::to_json(r.snapshot));
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
}

TEST(NginxAnnotations, ACanaryWithoutAMainIsUnusedAndSaysSo) {
  const auto r = compile_with_import(ingress(
      "lonely", a("canary", "true") + ", " + a("canary-weight", "50"), "/x", "Prefix", "canary"));
  const auto* v = find_verdict(r, "Ingress", "lonely");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(warning_reasons(*v), std::vector<std::string>{"CanaryNotMerged"});
  EXPECT_EQ(host(r, "a.example.com"), nullptr);
}

TEST(NginxAnnotationValues, StrictReaders) {
  using namespace nginx;
  EXPECT_EQ(*read_size("8m"), 8u << 20);
  EXPECT_EQ(*read_size("512k"), 512u << 10);
  EXPECT_EQ(*read_size("0"), 0u);
  EXPECT_FALSE(read_size("1.5m").ok());
  EXPECT_EQ(read_seconds("60").value(), std::chrono::milliseconds(60000));
  EXPECT_EQ(read_seconds("60s").value(), std::chrono::milliseconds(60000));
  EXPECT_FALSE(read_seconds("60ms").ok());
  EXPECT_FALSE(read_seconds("+60").ok());
  EXPECT_FALSE(read_int("0012345678901234", 0, 10).ok());
  EXPECT_EQ(read_list(" a ,b").value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(read_list("a,,b").ok());
  EXPECT_FALSE(read_bool("True").ok());
  EXPECT_TRUE(has_hostile_character("a\x01"));
  EXPECT_FALSE(has_hostile_character("https://a.example.com/x"));
}

}  // namespace
}  // namespace archway::controller::compile
