// The Accept media-type parameter that names a version (RFC 9110 §12.5.1
// with quality values §12.4.2): parameters, quoted values, quality,
// wildcards, malformed elements.

#include <gtest/gtest.h>

#include <vector>

#include "proxy/routing/accept_version.h"

namespace archway::routing {
namespace {

struct AcceptCase {
  const char* name;
  std::vector<std::string_view> fields;
  const char* media_type;  // "" = any
  const char* expected;    // nullptr = no version
};

void PrintTo(const AcceptCase& c, std::ostream* os) { *os << c.name; }

class AcceptVersionTest : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(AcceptVersionTest, PicksTheHighestQualityRangeCarryingTheParameter) {
  const AcceptCase& c = GetParam();
  const auto version = accept_version(c.fields, c.media_type, "version");
  if (c.expected == nullptr) {
    EXPECT_FALSE(version) << *version;
  } else {
    ASSERT_TRUE(version);
    EXPECT_EQ(*version, c.expected);
  }
}

constexpr const char* kVnd = "application/vnd.example+json";

INSTANTIATE_TEST_SUITE_P(
    Cases, AcceptVersionTest,
    ::testing::Values(
        AcceptCase{"plain", {"application/vnd.example+json; version=2"}, kVnd, "2"},
        AcceptCase{"no_spaces", {"application/vnd.example+json;version=2"}, kVnd, "2"},
        AcceptCase{
            "tabs_around_semicolon", {"application/vnd.example+json \t;\t version=2"}, kVnd, "2"},
        AcceptCase{"case_insensitive_name_and_type",
                   {"Application/VND.Example+JSON; VERSION=2"},
                   kVnd,
                   "2"},
        AcceptCase{"value_is_case_sensitive", {"application/json; version=Beta"}, "", "Beta"},
        AcceptCase{"quoted_value", {R"(application/vnd.example+json; version="2")"}, kVnd, "2"},
        AcceptCase{"quoted_value_with_escapes_and_comma",
                   {R"(application/json; version="a\"b,c", text/html)"},
                   "",
                   "a\"b,c"},
        AcceptCase{
            "other_parameters_first", {"application/json; charset=utf-8; version=3"}, "", "3"},
        AcceptCase{"no_parameter", {"application/vnd.example+json"}, kVnd, nullptr},
        AcceptCase{"other_media_type", {"application/json; version=2"}, kVnd, nullptr},
        AcceptCase{"any_media_type_configured", {"text/plain; version=2"}, "", "2"},
        AcceptCase{"highest_quality_wins",
                   {"application/json; version=1; q=0.5, application/json; version=2; q=0.9"},
                   "",
                   "2"},
        AcceptCase{"default_quality_is_one",
                   {"application/json; version=1; q=0.999, application/json; version=2"},
                   "",
                   "2"},
        AcceptCase{"tie_goes_to_first",
                   {"application/json; version=1, application/json; version=2"},
                   "",
                   "1"},
        AcceptCase{"q_zero_excludes", {"application/json; version=2; q=0"}, "", nullptr},
        AcceptCase{"q_zero_point_zero_excludes",
                   {"application/json; version=2; q=0.000, application/json; version=1; q=0.1"},
                   "",
                   "1"},
        AcceptCase{"parameter_after_q_is_an_accept_ext",
                   {"application/json; q=1; version=2"},
                   "",
                   nullptr},
        AcceptCase{"range_without_version_ignored",
                   {"text/html, application/vnd.example+json; version=2; q=0.1"},
                   kVnd,
                   "2"},
        AcceptCase{"type_wildcard_covers", {"application/*; version=2"}, kVnd, "2"},
        AcceptCase{"full_wildcard_covers", {"*/*; version=4"}, kVnd, "4"},
        AcceptCase{"type_wildcard_other_type", {"text/*; version=2"}, kVnd, nullptr},
        AcceptCase{"repeated_fields_form_one_list",
                   {"application/json; version=1; q=0.2", "application/json; version=2; q=0.3"},
                   "",
                   "2"},
        AcceptCase{"empty_elements_skipped", {" , ,application/json; version=5,,"}, "", "5"},
        AcceptCase{"malformed_element_skipped",
                   {"application; version=1, application/json; version=2"},
                   "",
                   "2"},
        AcceptCase{"wildcard_type_with_subtype_malformed", {"*/json; version=1"}, "", nullptr},
        AcceptCase{"bad_quality_skipped",
                   {"application/json; version=1; q=2, application/json; version=2; q=0.1"},
                   "",
                   "2"},
        AcceptCase{"quality_with_four_decimals_malformed",
                   {"application/json; version=1; q=0.1234"},
                   "",
                   nullptr},
        AcceptCase{"unterminated_quote", {R"(application/json; version="2)"}, "", nullptr},
        AcceptCase{"empty_value_malformed", {"application/json; version="}, "", nullptr},
        AcceptCase{
            "empty_quoted_value_carries_nothing", {R"(application/json; version="")"}, "", nullptr},
        AcceptCase{"no_fields", {}, "", nullptr}),
    [](const ::testing::TestParamInfo<AcceptCase>& param) { return param.param.name; });

TEST(AcceptVersionTest, ReadsTheConfiguredParameterName) {
  const std::vector<std::string_view> fields = {"application/json; v=7; version=1"};
  EXPECT_EQ(accept_version(fields, "", "v"), "7");
}

}  // namespace
}  // namespace archway::routing
