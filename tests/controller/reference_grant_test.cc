// Cross-namespace references (controller/compile/reference_grant.h): the
// grant check on its own, table-driven, then through compile (a Service
// backend, an auth Secret and a TLS Secret of another namespace, with and
// without a ReferenceGrant there), and the set of Secrets the controller
// fetches (referenced_secrets.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/compile/reference_grant.h"
#include "controller/compile/referenced_secrets.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

using compile::Reason;
using testing::state_from_yaml;

std::string grant(const std::string& ns, const std::string& from, const std::string& to) {
  return "---\napiVersion: archway.dev/v1alpha1\nkind: ReferenceGrant\nmetadata: {name: g-" +
         std::to_string(std::hash<std::string>{}(from + to) % 1000) + ", namespace: " + ns +
         "}\nspec: {from: [" + from + "], to: [" + to + "]}\n";
}

struct GrantCase {
  std::string name;
  std::string grants;  // YAML documents
  std::string to_kind, to_ns, to_name;
  bool permitted;
};

TEST(ReferenceGrant, PermitsOnlyWhatTheTargetNamespaceGrants) {
  const std::string from_shop = "{kind: APIRoute, namespace: shop}";
  const std::vector<GrantCase> cases = {
      {"same namespace needs no grant", "", "Service", "shop", "api", true},
      {"another namespace without a grant", "", "Service", "other", "api", false},
      {"a grant of every Service", grant("other", from_shop, "{kind: Service}"), "Service", "other",
       "api", true},
      {"a grant of that Service by name", grant("other", from_shop, "{kind: Service, name: api}"),
       "Service", "other", "api", true},
      {"a grant of another Service by name",
       grant("other", from_shop, "{kind: Service, name: web}"), "Service", "other", "api", false},
      {"a Secret grant does not cover a Service", grant("other", from_shop, "{kind: Secret}"),
       "Service", "other", "api", false},
      {"a Service grant does not cover a Secret", grant("other", from_shop, "{kind: Service}"),
       "Secret", "other", "tls", false},
      {"a grant to another namespace's routes",
       grant("other", "{kind: APIRoute, namespace: blog}", "{kind: Service}"), "Service", "other",
       "api", false},
      {"a grant from another kind",
       grant("other", "{kind: Ingress, namespace: shop}", "{kind: Service}"), "Service", "other",
       "api", false},
      {"a grant in a third namespace is not the target's",
       grant("third", from_shop, "{kind: Service}"), "Service", "other", "api", false},
      {"one of several from and to entries",
       grant("other", "{kind: APIRoute, namespace: blog}, " + from_shop,
             "{kind: Service, name: web}, {kind: Secret, name: tls}"),
       "Secret", "other", "tls", true},
      {"a grant without from", grant("other", "", "{kind: Service}"), "Service", "other", "api",
       false},
  };
  for (const GrantCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ClusterState state = state_from_yaml(c.grants);
    const compile::Referrer from{"APIRoute", "shop"};
    const compile::Referent to{c.to_kind, c.to_ns, c.to_name};
    EXPECT_EQ(compile::reference_permitted(state, from, to), c.permitted);
    const auto problem = compile::check_reference(state, from, to);
    ASSERT_EQ(problem.has_value(), !c.permitted);
    if (problem) {
      EXPECT_EQ(problem->reason, Reason::kRefNotPermitted);
      EXPECT_EQ(problem->message, c.to_kind + " " + c.to_ns + "/" + c.to_name +
                                      ": a reference from namespace shop to namespace " + c.to_ns +
                                      " needs a ReferenceGrant in " + c.to_ns);
    }
  }
}

// Service api in namespace other with one endpoint, and an APIRoute in ns
// (compile_rules' namespace) sending to it.
const std::string kOtherService = R"(---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: other}
spec: {clusterIP: 10.96.0.9, ports: [{name: web, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: other, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: web, port: 8080}]
endpoints: [{addresses: [10.0.0.9]}]
)";
const std::string kRuleToOther =
    "{name: main, matches: [{path: {type: PathPrefix, value: /}}], "
    "backends: [{name: api, namespace: other, port: 80}]}";

const config::Cluster* cluster_named(const compile::CompileResult& r, const std::string& name) {
  for (const auto& c : r.snapshot.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(ReferenceGrant, CrossNamespaceBackendIsNotServedWithoutAGrant) {
  const auto r = testing::compile_rules(kOtherService, kRuleToOther);
  const auto& v = testing::route_verdict(r);
  EXPECT_TRUE(v.accepted);
  EXPECT_FALSE(v.resolved_refs);
  EXPECT_EQ(v.resolved_reason, Reason::kRefNotPermitted);
  EXPECT_EQ(v.resolved_message,
            "spec.rules[0].backends[0]: Service other/api: a reference from namespace ns to "
            "namespace other needs a ReferenceGrant in other");
  EXPECT_EQ(cluster_named(r, "other/api/80"), nullptr) << "the Service's endpoints leaked";
  const auto* refused = cluster_named(r, "other/api/80/not-permitted");
  ASSERT_NE(refused, nullptr);
  EXPECT_TRUE(refused->endpoints.empty());  // the proxy answers 503
}

TEST(ReferenceGrant, CrossNamespaceBackendServesWithAGrant) {
  const auto r =
      testing::compile_rules(kOtherService + grant("other", "{kind: APIRoute, namespace: ns}",
                                                   "{kind: Service, name: api}"),
                             kRuleToOther);
  const auto& v = testing::route_verdict(r);
  EXPECT_TRUE(v.accepted);
  EXPECT_TRUE(v.resolved_refs) << v.resolved_message;
  const auto* cluster = cluster_named(r, "other/api/80");
  ASSERT_NE(cluster, nullptr);
  ASSERT_EQ(cluster->endpoints.size(), 1u);
  EXPECT_EQ(cluster->endpoints[0].address, "10.0.0.9");
  EXPECT_EQ(cluster->endpoints[0].port, 8080);
}

TEST(ReferenceGrant, CrossNamespaceAuthSecretNeedsAGrant) {
  const std::string objects = testing::service_yaml("app", "10.96.0.1", "10.0.0.1") +
                              "---\nkind: Secret\nmetadata: {name: keys, namespace: other}\n"
                              "type: Opaque\ndata: {partner: a2V5LTEyMzQ1Njc4}\n";
  const std::string rule =
      "{name: main, matches: [{path: {type: PathPrefix, value: /}}], "
      "backends: [{name: app, port: 80}], "
      "auth: {apiKey: {secretRef: {name: keys, namespace: other}}}}";
  const auto refused = testing::compile_rules(objects, rule);
  const auto& v = testing::route_verdict(refused);
  EXPECT_FALSE(v.resolved_refs);
  EXPECT_EQ(v.resolved_reason, Reason::kRefNotPermitted);
  EXPECT_NE(v.resolved_message.find("Secret other/keys: a reference from namespace ns"),
            std::string::npos)
      << v.resolved_message;

  const auto served = testing::compile_rules(
      objects + grant("other", "{kind: APIRoute, namespace: ns}", "{kind: Secret, name: keys}"),
      rule);
  const auto& ok = testing::route_verdict(served);
  EXPECT_TRUE(ok.accepted) << ok.accepted_message;
  EXPECT_TRUE(ok.resolved_refs) << ok.resolved_message;
}

// The TLS Secret of testdata's apiroute_full, moved to namespace certs.
std::string certs_tls_secret() {
  for (const auto& doc : YAML::LoadAll(testing::read_file(std::string(ARCHWAY_TESTDATA) +
                                                          "/controller/apiroute_full.in.yaml"))) {
    if (!doc.IsMap() || doc["kind"].as<std::string>("") != "Secret") continue;
    YAML::Node copy = YAML::Clone(doc);
    copy["metadata"]["namespace"] = "certs";
    YAML::Emitter out;
    out << copy;
    return std::string("---\n") + out.c_str() + "\n";
  }
  ADD_FAILURE() << "no Secret in apiroute_full.in.yaml";
  return "";
}

TEST(ReferenceGrant, CrossNamespaceTlsSecretNeedsAGrant) {
  const std::string route =
      "---\nkind: APIRoute\nmetadata: {name: r, namespace: ns, generation: 1}\n"
      "spec: {hostnames: [api.example.com], tls: {secretName: api-tls, secretNamespace: certs}, "
      "rules: [{name: main, backends: [{name: app, port: 80}]}]}\n";
  const std::string objects =
      testing::service_yaml("app", "10.96.0.1", "10.0.0.1") + certs_tls_secret() + route;
  const auto refused = compile::compile(state_from_yaml(objects), testing::test_options(), {});
  const auto& v = testing::route_verdict(refused);
  EXPECT_FALSE(v.resolved_refs);
  EXPECT_EQ(v.resolved_reason, Reason::kRefNotPermitted);
  EXPECT_EQ(v.resolved_message,
            "spec.tls.secretName: Secret certs/api-tls: a reference from namespace ns to "
            "namespace certs needs a ReferenceGrant in certs");

  const auto served =
      compile::compile(state_from_yaml(objects + grant("certs", "{kind: APIRoute, namespace: ns}",
                                                       "{kind: Secret, name: api-tls}")),
                       testing::test_options(), {});
  const auto& ok = testing::route_verdict(served);
  EXPECT_TRUE(ok.resolved_refs) << ok.resolved_message;
  bool with_certificate = false;
  for (const auto& vhost : served.snapshot.virtual_hosts) {
    with_certificate |= vhost.tls.has_value() && !vhost.tls->certificate_pem.empty();
  }
  EXPECT_TRUE(with_certificate) << "the granted certificate is not served";
  for (const auto& vhost : refused.snapshot.virtual_hosts) {
    EXPECT_FALSE(vhost.tls.has_value()) << "a certificate served without a grant";
  }
}

TEST(ReferenceGrant, ReferencedSecretsAreTheGrantedOnes) {
  const std::string routes = R"(---
kind: Ingress
metadata: {name: i, namespace: blog}
spec: {tls: [{secretName: blog-tls}, {hosts: [sni.only]}]}
---
kind: APIRoute
metadata: {name: r, namespace: shop}
spec:
  tls: {secretName: wildcard, secretNamespace: certs}
  defaults: {auth: {apiKey: {secretRef: {name: keys}}}}
  rules:
  - {name: a, auth: {jwt: {jwksSecretRef: {name: jwks, namespace: idp}}}}
  - {name: b, auth: {oauth2Introspection: {clientSecretRef: {name: client}}}}
  - {name: c}
)";
  const auto without = compile::referenced_secrets(state_from_yaml(routes));
  EXPECT_EQ(without,
            (std::set<ObjectKey>{{"blog", "blog-tls"}, {"shop", "client"}, {"shop", "keys"}}));
  const auto with = compile::referenced_secrets(state_from_yaml(
      routes + grant("certs", "{kind: APIRoute, namespace: shop}", "{kind: Secret}")));
  EXPECT_EQ(
      with,
      (std::set<ObjectKey>{
          {"blog", "blog-tls"}, {"certs", "wildcard"}, {"shop", "client"}, {"shop", "keys"}}));
}

}  // namespace
}  // namespace archway::controller
