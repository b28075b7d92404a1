// versioning in the snapshot: the CRD's schema and CEL rules (unique names,
// declared default, brownout start < end, sunset after deprecation), RFC
// 3339 times, and the round trip the controller relies on.

#include "common/rfc3339.h"
#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class VersioningDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(VersioningDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Versioning>(GetParam().json, "spec.versioning"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VersioningDecodeTest,
    ::testing::Values(
        PolicyCase{"minimal",
                   R"({"sources": [{"type": "Header", "name": "X-Api-Version"}],
                       "versions": [{"name": "1"}]})",
                   ""},
        PolicyCase{"full",
                   R"({"sources": [{"type": "PathSegment", "prefix": "v", "strip": true},
                                   {"type": "Header", "name": "X-Api-Version"},
                                   {"type": "Accept", "mediaType": "application/vnd.ex+json",
                                    "parameter": "version"},
                                   {"type": "QueryParam", "name": "api-version"}],
                       "default": "2",
                       "versions": [{"name": "1", "deprecation": "2026-01-01T00:00:00Z",
                                     "sunset": "2026-12-31T00:00:00+01:00",
                                     "link": "https://example.com/v1-retired",
                                     "brownouts": [{"start": "2026-06-01T10:00:00Z",
                                                    "end": "2026-06-01T11:00:00.5Z"}]},
                                    {"name": "2"}]})",
                   ""},
        PolicyCase{"sources_required", R"({"versions": [{"name": "1"}]})",
                   "spec.versioning.sources: is required"},
        PolicyCase{"versions_required", R"({"sources": [{"type": "Header", "name": "x"}]})",
                   "spec.versioning.versions: is required"},
        PolicyCase{"unknown_type",
                   R"({"sources": [{"type": "Cookie"}], "versions": [{"name": "1"}]})",
                   "spec.versioning.sources[0].type: must be one of Header, Accept, QueryParam, "
                   "PathSegment"},
        PolicyCase{"header_needs_name",
                   R"({"sources": [{"type": "Header"}], "versions": [{"name": "1"}]})",
                   "spec.versioning.sources[0].name: is required"},
        PolicyCase{"field_of_another_type",
                   R"({"sources": [{"type": "Header", "name": "x", "strip": true}],
                       "versions": [{"name": "1"}]})",
                   "spec.versioning.sources[0].strip: is not allowed for this type"},
        PolicyCase{
            "type_twice",
            R"({"sources": [{"type": "Header", "name": "x"}, {"type": "Header", "name": "y"}],
                       "versions": [{"name": "1"}]})",
            "spec.versioning.sources[1].type: each source type may appear once"},
        PolicyCase{"bad_media_type",
                   R"({"sources": [{"type": "Accept", "mediaType": "json"}],
                       "versions": [{"name": "1"}]})",
                   "spec.versioning.sources[0].mediaType: must be a media type: type/subtype"},
        PolicyCase{"duplicate_version",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1"}, {"name": "1"}]})",
                   "spec.versioning.versions[1]: duplicate value \"1\""},
        PolicyCase{
            "bad_version_name",
            R"({"sources": [{"type": "Header", "name": "x"}], "versions": [{"name": "v 1"}]})",
            "spec.versioning.versions[0].name: must be 1 to 32 letters, digits, '.', '_' "
            "or '-'"},
        PolicyCase{"undeclared_default",
                   R"({"sources": [{"type": "Header", "name": "x"}], "versions": [{"name": "1"}],
                       "default": "2"})",
                   "spec.versioning.default: must name one of versions"},
        PolicyCase{"bad_time",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1", "deprecation": "2026-02-30T00:00:00Z"}]})",
                   "spec.versioning.versions[0].deprecation: must be an RFC 3339 date-time "
                   "(2026-01-31T00:00:00Z)"},
        PolicyCase{"sunset_before_deprecation",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1", "deprecation": "2026-02-01T00:00:00Z",
                                     "sunset": "2026-01-01T00:00:00Z"}]})",
                   "spec.versioning.versions[0].sunset: must be after deprecation"},
        PolicyCase{"brownout_end_before_start",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1", "deprecation": "2026-01-01T00:00:00Z",
                                     "brownouts": [{"start": "2026-06-01T11:00:00Z",
                                                    "end": "2026-06-01T10:00:00Z"}]}]})",
                   "spec.versioning.versions[0].brownouts[0].end: must be after start"},
        PolicyCase{"brownout_needs_deprecation",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1",
                                     "brownouts": [{"start": "2026-06-01T10:00:00Z",
                                                    "end": "2026-06-01T11:00:00Z"}]}]})",
                   "spec.versioning.versions[0].brownouts: needs deprecation: only a deprecated "
                   "version browns out"},
        PolicyCase{"link_with_angle_bracket",
                   R"({"sources": [{"type": "Header", "name": "x"}],
                       "versions": [{"name": "1", "link": "https://a.com/x>y"}]})",
                   "spec.versioning.versions[0].link: must not contain '<', '>' or '\"'"}),
    testing::case_name);

TEST(VersioningCodecTest, RoundTripsInUtc) {
  auto parsed = parse_policy<Versioning>(Json::parse(R"({
      "sources": [{"type": "Accept"}, {"type": "PathSegment", "strip": true}],
      "default": "1",
      "versions": [{"name": "1", "deprecation": "2026-01-01T01:00:00+01:00",
                    "sunset": "2027-01-01T00:00:00Z", "link": "https://a.com/d",
                    "brownouts": [{"start": "2026-06-01T10:00:00Z", "end": "2026-06-01T11:00:00Z"}]},
                   {"name": "2"}]})"),
                                         "p");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->sources[0].name, "version");  // Accept's default parameter
  EXPECT_EQ(parsed->sources[1].prefix, "v");
  EXPECT_EQ(to_json(*parsed)["versions"][0]["deprecation"], "2026-01-01T00:00:00Z");
  testing::expect_round_trip(*parsed);
}

TEST(Rfc3339Test, ParsesOffsetsAndFractionsToUtcSeconds) {
  using std::chrono::sys_seconds;
  const auto at = [](const char* text) { return parse_rfc3339(text); };
  ASSERT_TRUE(at("1970-01-01T00:00:00Z"));
  EXPECT_EQ(at("1970-01-01T00:00:00Z")->time_since_epoch().count(), 0);
  EXPECT_EQ(at("1970-01-01T01:00:00+01:00")->time_since_epoch().count(), 0);
  EXPECT_EQ(at("1969-12-31T23:30:00-00:30")->time_since_epoch().count(), 0);
  EXPECT_EQ(at("2026-06-01t10:00:00.999z")->time_since_epoch().count(), 1780308000);
  EXPECT_FALSE(at("2026-06-01T10:00:00"));   // no offset
  EXPECT_FALSE(at("2026-06-01 10:00:00Z"));  // a space for 'T'
  EXPECT_FALSE(at("2026-13-01T10:00:00Z"));
  EXPECT_FALSE(at("2026-06-01T24:00:00Z"));
  EXPECT_FALSE(at("2026-06-01T10:00:00.Z"));
  EXPECT_FALSE(at("2026-06-01T10:00:00+0100"));
  EXPECT_EQ(format_rfc3339(sys_seconds(std::chrono::seconds(1780308000))), "2026-06-01T10:00:00Z");
}

}  // namespace
}  // namespace archway::config
