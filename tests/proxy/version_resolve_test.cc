// Which version a request asks for: the route's sources in their declared
// order, then the default; unknown and missing versions.

#include <gtest/gtest.h>

#include "proxy/config/policies/codec.h"
#include "proxy/routing/version_resolve.h"

namespace archway::routing {
namespace {

using Outcome = VersionResolution::Outcome;
using config::VersionSourceType;

config::Versioning versioning(const char* json) {
  auto parsed = config::parse_policy<config::Versioning>(config::Json::parse(json), "v");
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return *parsed;
}

struct Req {
  std::string path = "/orders";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
};

VersionResolution resolve(const config::Versioning& v, const Req& r) {
  std::vector<HeaderField> fields;
  for (const auto& [name, value] : r.headers) fields.push_back({name, value});
  const RequestHead head{"GET", "example.com", r.path, r.query, fields};
  RequestView view(head);
  return resolve_version(v, view);
}

const char* const kAllSources = R"({
  "sources": [{"type": "Header", "name": "X-Api-Version"},
              {"type": "Accept", "mediaType": "application/vnd.ex+json"},
              {"type": "QueryParam", "name": "api-version"},
              {"type": "PathSegment", "strip": true}],
  "default": "1",
  "versions": [{"name": "1"}, {"name": "2"}, {"name": "3"}, {"name": "beta"}]})";

TEST(VersionResolveTest, EachSourceOnItsOwn) {
  const auto v = versioning(kAllSources);
  auto r = resolve(v, {.headers = {{"x-api-version", " 2 "}}});
  EXPECT_EQ(r.outcome, Outcome::kResolved);
  EXPECT_EQ(r.version, "2");
  EXPECT_EQ(r.source, VersionSourceType::kHeader);

  r = resolve(v, {.headers = {{"accept", "application/vnd.ex+json; version=3"}}});
  EXPECT_EQ(r.outcome, Outcome::kResolved);
  EXPECT_EQ(r.version, "3");
  EXPECT_EQ(r.source, VersionSourceType::kAccept);

  r = resolve(v, {.query = "a=b&api-version=beta"});
  EXPECT_EQ(r.version, "beta");
  EXPECT_EQ(r.source, VersionSourceType::kQueryParam);

  r = resolve(v, {.path = "/v2/orders/7"});
  EXPECT_EQ(r.outcome, Outcome::kResolved);
  EXPECT_EQ(r.version, "2");
  EXPECT_EQ(r.source, VersionSourceType::kPathSegment);
  EXPECT_EQ(r.path_segment_length, 3u);  // "/v2"

  r = resolve(v, {.path = "/v3"});
  EXPECT_EQ(r.version, "3");
  EXPECT_EQ(r.path_segment_length, 3u);
}

TEST(VersionResolveTest, FirstDeclaredSourceWins) {
  const auto v = versioning(kAllSources);
  const Req all{
      .path = "/v3/orders",
      .query = "api-version=beta",
      .headers = {{"x-api-version", "2"}, {"accept", "application/vnd.ex+json; version=1"}}};
  EXPECT_EQ(resolve(v, all).version, "2");
  Req no_header = all;
  no_header.headers.erase(no_header.headers.begin());
  EXPECT_EQ(resolve(v, no_header).version, "1");
  no_header.headers.clear();
  EXPECT_EQ(resolve(v, no_header).version, "beta");
  no_header.query.clear();
  EXPECT_EQ(resolve(v, no_header).version, "3");
}

TEST(VersionResolveTest, AnUnknownVersionStopsTheSearch) {
  const auto v = versioning(kAllSources);
  auto r = resolve(v, {.query = "api-version=2", .headers = {{"x-api-version", "9"}}});
  EXPECT_EQ(r.outcome, Outcome::kUnknown);
  EXPECT_EQ(r.version, "9");
  EXPECT_EQ(r.source, VersionSourceType::kHeader);
  r = resolve(v, {.headers = {{"accept", "application/vnd.ex+json; version=7"}}});
  EXPECT_EQ(r.outcome, Outcome::kUnknown);
  EXPECT_EQ(r.source, VersionSourceType::kAccept);
}

TEST(VersionResolveTest, NoVersionGetsTheDefaultOrIsMissing) {
  auto r = resolve(versioning(kAllSources), {.headers = {{"x-api-version", ""}}});
  EXPECT_EQ(r.outcome, Outcome::kDefault);
  EXPECT_EQ(r.version, "1");
  r = resolve(versioning(R"({"sources": [{"type": "Header", "name": "x"}],
                             "versions": [{"name": "1"}]})"),
              {});
  EXPECT_EQ(r.outcome, Outcome::kMissing);
  EXPECT_FALSE(r.served());
}

TEST(VersionResolveTest, PathSegmentNeedsTheFormOfAVersion) {
  const auto v = versioning(kAllSources);
  // Not versions at all: the default applies.
  EXPECT_EQ(resolve(v, {.path = "/vendors/1"}).outcome, Outcome::kDefault);
  EXPECT_EQ(resolve(v, {.path = "/v"}).outcome, Outcome::kDefault);
  EXPECT_EQ(resolve(v, {.path = "/"}).outcome, Outcome::kDefault);
  EXPECT_EQ(resolve(v, {.path = "/orders/v2"}).outcome, Outcome::kDefault);
  // A declared name, digits or not.
  EXPECT_EQ(resolve(v, {.path = "/vbeta/x"}).version, "beta");
  // Starts with a digit: a version, and this one is unknown.
  auto r = resolve(v, {.path = "/v9/orders"});
  EXPECT_EQ(r.outcome, Outcome::kUnknown);
  EXPECT_EQ(r.version, "9");
  EXPECT_EQ(r.source, VersionSourceType::kPathSegment);
}

}  // namespace
}  // namespace archway::routing
