// The fields a deprecated version's responses carry, formatted as each RFC
// requires, and brownout windows against an injected time.

#include <gtest/gtest.h>

#include "common/rfc3339.h"
#include "proxy/filters/versioning/version_headers.h"

// Versions name only the fields a case sets; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace archway::filters {
namespace {

std::chrono::sys_seconds at(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

TEST(VersionHeadersTest, DeprecationIsAStructuredFieldDate) {
  // RFC 9745 §2.1 / RFC 9651 §3.3.7: "@" and an integer of Unix seconds.
  EXPECT_EQ(deprecation_value(at("2026-06-30T23:59:59Z")), "@1782863999");
  EXPECT_EQ(deprecation_value(at("1970-01-01T00:00:00Z")), "@0");
}

TEST(VersionHeadersTest, SunsetIsAnImfFixdate) {
  EXPECT_EQ(sunset_value(at("2026-12-31T23:59:59Z")), "Thu, 31 Dec 2026 23:59:59 GMT");
  EXPECT_EQ(sunset_value(at("1994-11-06T08:49:37Z")), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(VersionHeadersTest, LinkCarriesTheRelationsThatApply) {
  config::ApiVersion v{.name = "1"};
  EXPECT_EQ(link_value(v), "");
  v.link = "https://example.com/v1";
  EXPECT_EQ(link_value(v), "");  // neither deprecated nor sunset
  v.deprecation = at("2026-01-01T00:00:00Z");
  EXPECT_EQ(link_value(v), R"(<https://example.com/v1>; rel="deprecation")");
  v.sunset = at("2027-01-01T00:00:00Z");
  EXPECT_EQ(
      link_value(v),
      R"(<https://example.com/v1>; rel="deprecation", <https://example.com/v1>; rel="sunset")");
}

TEST(VersionHeadersTest, OnlyTheFieldsThatApply) {
  config::ApiVersion v{.name = "2"};
  EXPECT_TRUE(version_headers(v).empty());
  v.sunset = at("2027-01-01T00:00:00Z");
  const http::Headers sunset_only = version_headers(v);
  ASSERT_EQ(sunset_only.size(), 1u);
  EXPECT_EQ(sunset_only.begin()->name, "sunset");
  v.deprecation = at("2026-01-01T00:00:00Z");
  v.link = "https://a.example/d";
  const http::Headers all = version_headers(v);
  ASSERT_EQ(all.size(), 3u);
  auto it = all.begin();
  EXPECT_EQ(it->name, "deprecation");
  EXPECT_EQ(it->value, "@1767225600");
  ++it;
  EXPECT_EQ(it->name, "sunset");
  ++it;
  EXPECT_EQ(it->name, "link");
}

TEST(VersionHeadersTest, BrownoutWindowsAreHalfOpen) {
  config::ApiVersion v{.name = "1", .deprecation = at("2026-01-01T00:00:00Z")};
  v.brownouts = {{at("2026-06-01T10:00:00Z"), at("2026-06-01T11:00:00Z")},
                 {at("2026-07-01T10:00:00Z"), at("2026-07-01T10:00:01Z")}};
  EXPECT_FALSE(in_brownout(v, at("2026-06-01T09:59:59Z")));
  EXPECT_TRUE(in_brownout(v, at("2026-06-01T10:00:00Z")));
  EXPECT_TRUE(in_brownout(v, at("2026-06-01T10:59:59Z")));
  EXPECT_FALSE(in_brownout(v, at("2026-06-01T11:00:00Z")));
  EXPECT_FALSE(in_brownout(v, at("2026-06-15T00:00:00Z")));
  EXPECT_TRUE(in_brownout(v, at("2026-07-01T10:00:00Z")));
  EXPECT_FALSE(in_brownout(v, at("2026-07-01T10:00:01Z")));
  EXPECT_FALSE(in_brownout(config::ApiVersion{.name = "2"}, at("2026-06-01T10:30:00Z")));
}

}  // namespace
}  // namespace archway::filters
