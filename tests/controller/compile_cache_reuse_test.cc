// The TranslationCache (compile.h): a compile that reuses the previous one's
// translations gives byte-identical output to a compile from scratch, and
// translates only what changed: one object for a route edit, nothing for an
// EndpointSlice change (endpoints are filled after assembly), everything when
// a Service (something translation reads) changes.

#include <gtest/gtest.h>

#include "controller/compile/compile.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller::compile {
namespace {

using testing::state_from_yaml;

const std::string kObjects = R"(
apiVersion: v1
kind: Service
metadata: {name: app, namespace: ns}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: ns, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
---
apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: a, namespace: ns, uid: uid-a, generation: 1,
           creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  hostnames: [a.example.com]
  rules: [{name: r, backends: [{name: app, port: 80}]}]
---
apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: b, namespace: ns, uid: uid-b, generation: 1,
           creationTimestamp: "2026-01-01T00:00:01Z"}
spec:
  hostnames: [b.example.com]
  rules: [{name: r, directResponse: {status: 200, body: one}}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: archway}
spec: {controller: archway.dev/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: i, namespace: ns, uid: uid-i, generation: 1,
           creationTimestamp: "2026-01-01T00:00:02Z"}
spec:
  ingressClassName: archway
  rules:
  - host: i.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}
)";

std::string output(const CompileResult& r) { return testing::result_json(r).dump(); }

void edit(ObjectMap& objects, const ObjectKey& key, const char* at, nlohmann::json value) {
  testing::set_at(objects.at(key), nlohmann::json::json_pointer(at), std::move(value));
}

class TranslationCacheTest : public ::testing::Test {
 protected:
  // Compiles with the cache and from scratch; both must agree.
  CompileResult both() {
    auto cached = compile(state, options, {}, &cache);
    auto fresh = compile(state, options, {});
    EXPECT_EQ(output(cached), output(fresh));
    return cached;
  }

  ClusterState state = state_from_yaml(kObjects);
  CompileOptions options = testing::test_options();
  TranslationCache cache;
};

TEST_F(TranslationCacheTest, TheFirstCompileTranslatesEverythingAndTheSecondNothing) {
  both();
  EXPECT_EQ(cache.translated_last_time(), 3u);
  both();
  EXPECT_EQ(cache.translated_last_time(), 0u);
}

TEST_F(TranslationCacheTest, ARouteEditTranslatesThatRouteOnly) {
  both();
  edit(state.api_routes, {"ns", "b"}, "/spec/rules/0/directResponse/body", "two");
  edit(state.api_routes, {"ns", "b"}, "/metadata/generation", 2);
  auto r = both();
  EXPECT_EQ(cache.translated_last_time(), 1u);
  EXPECT_NE(output(r).find("two"), std::string::npos);
}

TEST_F(TranslationCacheTest, AnEndpointSliceChangeTranslatesNothingAndIsServed) {
  both();
  edit(state.endpoint_slices, {"ns", "app-1"}, "/endpoints/0/addresses/0", "10.0.0.9");
  auto r = both();
  EXPECT_EQ(cache.translated_last_time(), 0u);
  ASSERT_EQ(r.snapshot.clusters.size(), 1u);
  ASSERT_EQ(r.snapshot.clusters[0].endpoints.size(), 1u);
  EXPECT_EQ(r.snapshot.clusters[0].endpoints[0].address, "10.0.0.9");
}

TEST_F(TranslationCacheTest, AServiceChangeTranslatesEverything) {
  both();
  edit(state.services, {"ns", "app"}, "/spec/ports/0/port", 81);
  auto r = both();
  EXPECT_EQ(cache.translated_last_time(), 3u);
  // Both backends now name a port the Service lacks.
  EXPECT_FALSE(testing::find_verdict(r, "APIRoute", "a")->resolved_refs);
}

TEST_F(TranslationCacheTest, ADeletedRouteLeavesTheCacheAndTheSnapshot) {
  both();
  state.api_routes.erase({"ns", "b"});
  auto r = both();
  EXPECT_EQ(cache.translated_last_time(), 0u);
  EXPECT_EQ(output(r).find("b.example.com"), std::string::npos);
}

}  // namespace
}  // namespace archway::controller::compile
