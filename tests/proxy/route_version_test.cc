// The matcher with versioned routes: matches[].version selects a rule, so
// v1 and v2 of one path reach different rules; a request with no usable
// version is taken by the route's first candidate (its filter answers
// 400/406); unversioned routes are untouched.

#include <gtest/gtest.h>

#include "tests/proxy/route_test_util.h"

namespace archway::routing {
namespace {

using testing::compile_yaml;
using testing::match;
using testing::Request;
using testing::route_name;
using Outcome = VersionResolution::Outcome;

constexpr const char* kVersioning =
    "{versioning: {sources: [{type: PathSegment}, {type: Header, name: X-Api-Version}, "
    "{type: Accept}], default: '2', versions: [{name: '1'}, {name: '2'}, {name: '3'}]}}";

std::string versioned_route(const std::string& name, const std::string& matches) {
  return std::string("  - name: ") + name +
         "\n    backends: [{cluster: c}]\n    matches: " + matches +
         "\n    policies: " + kVersioning + "\n";
}

std::shared_ptr<const RouteTable> table() {
  return compile_yaml(
      "- name: h\n  domains: ['*']\n  routes:\n" +
      versioned_route("orders-v1", "[{path: {type: PathPrefix, value: /orders}, version: '1'}]") +
      versioned_route("orders-v2", "[{path: {type: PathPrefix, value: /orders}, version: '2'}]") +
      versioned_route("orders-any", "[{path: {type: PathPrefix, value: /orders}}]") +
      versioned_route("path-v1", "[{path: {type: PathPrefix, value: /v1/items}, version: '1'}]") +
      "  - name: plain\n    backends: [{cluster: c}]\n    matches: [{path: {value: /plain}}]\n");
}

struct VersionCase {
  const char* name;
  Request request;
  const char* route;
};

void PrintTo(const VersionCase& c, std::ostream* os) { *os << c.name; }

class RouteVersionTest : public ::testing::TestWithParam<VersionCase> {};

TEST_P(RouteVersionTest, VersionSelectsTheRule) {
  auto t = table();
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(route_name(*t, GetParam().request), GetParam().route);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RouteVersionTest,
    ::testing::Values(
        VersionCase{
            "header_v1", {.path = "/orders", .headers = {{"x-api-version", "1"}}}, "orders-v1"},
        VersionCase{
            "header_v2", {.path = "/orders/7", .headers = {{"x-api-version", "2"}}}, "orders-v2"},
        VersionCase{"header_v3_any_version_rule",
                    {.path = "/orders", .headers = {{"x-api-version", "3"}}},
                    "orders-any"},
        VersionCase{"accept_v1",
                    {.path = "/orders", .headers = {{"accept", "application/json; version=1"}}},
                    "orders-v1"},
        VersionCase{"default_is_v2", {.path = "/orders"}, "orders-v2"},
        VersionCase{"unknown_taken_by_first_candidate",
                    {.path = "/orders", .headers = {{"x-api-version", "9"}}},
                    "orders-v1"},
        VersionCase{"path_segment_v1", {.path = "/v1/items"}, "path-v1"},
        VersionCase{"path_segment_v2_no_rule", {.path = "/v2/items"}, "404"},
        VersionCase{"unversioned_route_untouched",
                    {.path = "/plain", .headers = {{"x-api-version", "9"}}},
                    "plain"}),
    [](const ::testing::TestParamInfo<VersionCase>& param) { return param.param.name; });

TEST(RouteVersionMatchTest, CarriesTheResolutionForTheFilter) {
  auto t = table();
  ASSERT_NE(t, nullptr);
  auto m = match(*t, {.path = "/v1/items/3"});
  ASSERT_TRUE(m && m->version);
  EXPECT_EQ(m->version->outcome, Outcome::kResolved);
  EXPECT_EQ(m->version->version, "1");
  EXPECT_EQ(m->version->path_segment_length, 3u);

  m = match(*t, {.path = "/orders", .headers = {{"accept", "application/json; version=9"}}});
  ASSERT_TRUE(m && m->version);
  EXPECT_EQ(m->version->outcome, Outcome::kUnknown);
  EXPECT_EQ(m->version->source, config::VersionSourceType::kAccept);

  m = match(*t, {.path = "/orders"});
  ASSERT_TRUE(m && m->version);
  EXPECT_EQ(m->version->outcome, Outcome::kDefault);

  m = match(*t, {.path = "/plain"});
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->version);
}

TEST(RouteVersionMatchTest, SnapshotRefusesAnUndeclaredMatchVersion) {
  auto snapshot = config::parse_snapshot_yaml(
      "version: '1'\nclusters: [{name: c}]\nvirtualHosts:\n- name: h\n  domains: ['*']\n"
      "  routes:\n" +
      versioned_route("r", "[{path: {value: /x}, version: '7'}]"));
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.error().to_string(),
            "virtualHosts[0].routes[0].matches[0].version: must name a version of "
            "policies.versioning");
}

}  // namespace
}  // namespace archway::routing
