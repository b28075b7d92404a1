// spec.versioning through the APIRoute translation: copied onto every
// rule's route, matches[].version onto each match; what only the
// controller judges (a match version the route does not declare) is
// UnknownVersion, a malformed versioning InvalidValue naming the field.
#include <gtest/gtest.h>

#include <string>

#include "controller/compile/object_translate.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller::compile {
namespace {

using controller::testing::state_from_yaml;
using controller::testing::yaml_to_json;

nlohmann::json yaml(const std::string& text) { return yaml_to_json(YAML::Load(text)); }

const std::string kCluster = R"(
kind: Service
metadata: {name: app, namespace: ns}
spec: {ports: [{name: web, port: 80}]}
)";

std::string route_with(const std::string& versioning, const std::string& matches) {
  return "{metadata: {name: r, namespace: ns}, spec: {" + versioning +
         " rules: [{name: a, matches: " + matches +
         ", backends: [{name: app, port: 80}]}, {name: b, backends: [{name: app, port: 80}]}]}}";
}

const std::string kVersioning =
    "versioning: {sources: [{type: Header, name: X-Api-Version}], default: '2', "
    "versions: [{name: '1', deprecation: '2026-01-01T00:00:00Z'}, {name: '2'}]},";

TEST(CompileVersioning, CopiedOntoEveryRuleWithEachMatchVersion) {
  const ClusterState state = state_from_yaml(kCluster);
  auto route = translate_api_route(
      yaml(route_with(kVersioning, "[{path: {value: /x}, version: '1'}, {path: {value: /y}}]")),
      state, {});
  ASSERT_TRUE(route.ok()) << route.error().message;
  ASSERT_EQ(route->routes.size(), 2u);
  for (const HostRoute& r : route->routes) {
    ASSERT_TRUE(r.route.policies.versioning.has_value()) << r.route.name;
    EXPECT_EQ(r.route.policies.versioning->default_version, "2");
    ASSERT_EQ(r.route.policies.versioning->versions.size(), 2u);
  }
  const config::Route& a = route->routes[0].route;
  ASSERT_EQ(a.matches.size(), 2u);
  EXPECT_EQ(a.matches[0].version, "1");
  EXPECT_FALSE(a.matches[1].version.has_value());
}

TEST(CompileVersioning, UndeclaredMatchVersionIsUnknownVersion) {
  const ClusterState state = state_from_yaml(kCluster);
  auto route = translate_api_route(
      yaml(route_with(kVersioning, "[{path: {value: /x}}, {path: {value: /y}, version: '3'}]")),
      state, {});
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().reason, Reason::kUnknownVersion);
  EXPECT_EQ(route.error().message,
            "spec.rules[0].matches[1].version: \"3\" is not one of spec.versioning.versions");
  EXPECT_EQ(reason_name(route.error().reason), "UnknownVersion");

  auto unversioned =
      translate_api_route(yaml(route_with("", "[{path: {value: /x}, version: '1'}]")), state, {});
  ASSERT_FALSE(unversioned.ok());
  EXPECT_EQ(unversioned.error().reason, Reason::kUnknownVersion);
}

TEST(CompileVersioning, MalformedVersioningIsInvalidValueNamingTheField) {
  const ClusterState state = state_from_yaml(kCluster);
  auto route = translate_api_route(
      yaml(route_with(
          "versioning: {sources: [{type: Header, name: X-Api-Version}], "
          "versions: [{name: '1', deprecation: '2026-06-01T00:00:00Z', "
          "brownouts: [{start: '2026-07-01T10:00:00Z', end: '2026-07-01T09:00:00Z'}]}]},",
          "[{path: {value: /x}}]")),
      state, {});
  ASSERT_FALSE(route.ok());
  EXPECT_EQ(route.error().reason, Reason::kInvalidValue);
  EXPECT_EQ(route.error().message,
            "spec.versioning.versions[0].brownouts[0].end: must be after start");
}

}  // namespace
}  // namespace archway::controller::compile
