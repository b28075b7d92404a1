// Conditional requests answered from an entry (RFC 9111 §4.3.2, RFC 9110
// §13.1.2, §13.1.3, §13.2.2).

#include "proxy/cache/conditional.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

namespace archway::cache {
namespace {

using namespace std::chrono;

struct ConditionalCase {
  const char* label;
  int status;
  const char* etag;
  const char* last_modified;
  http::Headers request;
  bool want;
};

class NotModified : public ::testing::TestWithParam<ConditionalCase> {};

TEST_P(NotModified, AnswersConditionalsFromTheEntry) {
  Entry e;
  e.status = GetParam().status;
  e.etag = GetParam().etag;
  e.last_modified = GetParam().last_modified;
  // Received at 08:00:00, with a Date of 07:59:50.
  e.response_time = system_clock::time_point{sys_days{year{2026} / 12 / 7}} + hours{8};
  e.date_value_offset = seconds{10};
  EXPECT_EQ(not_modified(e, GetParam().request), GetParam().want);
}

constexpr const char* kLm = "Sun, 06 Dec 2026 00:00:00 GMT";

INSTANTIATE_TEST_SUITE_P(
    Rfc9110Section13, NotModified,
    ::testing::Values(
        ConditionalCase{"no_conditionals", 200, "\"a\"", kLm, {}, false},
        // §13.1.2: If-None-Match uses the weak comparison.
        ConditionalCase{"inm_strong_match", 200, "\"a\"", "", {{"if-none-match", "\"a\""}}, true},
        ConditionalCase{
            "inm_weak_client_tag", 200, "\"a\"", "", {{"if-none-match", "W/\"a\""}}, true},
        ConditionalCase{
            "inm_weak_entry_tag", 200, "W/\"a\"", "", {{"if-none-match", "\"a\""}}, true},
        ConditionalCase{"inm_list", 200, "\"b\"", "", {{"if-none-match", "\"a\", W/\"b\""}}, true},
        ConditionalCase{"inm_comma_inside_tag",
                        200,
                        "\"x,y\"",
                        "",
                        {{"if-none-match", "\"z\", \"x,y\""}},
                        true},
        ConditionalCase{"inm_no_match", 200, "\"a\"", "", {{"if-none-match", "\"b\""}}, false},
        // §13.1.2: "*" matches any current representation.
        ConditionalCase{"inm_star", 200, "", "", {{"if-none-match", "*"}}, true},
        ConditionalCase{
            "inm_entry_without_etag", 200, "", kLm, {{"if-none-match", "\"a\""}}, false},
        // §13.2.2 step 3: If-None-Match present → If-Modified-Since ignored.
        ConditionalCase{
            "inm_decides_over_ims",
            200,
            "\"a\"",
            kLm,
            {{"if-none-match", "\"b\""}, {"if-modified-since", "Mon, 07 Dec 2026 00:00:00 GMT"}},
            false},
        // §13.1.3: not modified when Last-Modified ≤ the date.
        ConditionalCase{"ims_equal", 200, "", kLm, {{"if-modified-since", kLm}}, true},
        ConditionalCase{"ims_later",
                        200,
                        "",
                        kLm,
                        {{"if-modified-since", "Mon, 07 Dec 2026 00:00:00 GMT"}},
                        true},
        ConditionalCase{"ims_earlier",
                        200,
                        "",
                        kLm,
                        {{"if-modified-since", "Sat, 05 Dec 2026 00:00:00 GMT"}},
                        false},
        // §13.1.3: an invalid date is ignored.
        ConditionalCase{"ims_invalid", 200, "", kLm, {{"if-modified-since", "yesterday"}}, false},
        // RFC 9111 §4.3.2: no Last-Modified → the entry's Date (07:59:50).
        ConditionalCase{"ims_against_date",
                        200,
                        "",
                        "",
                        {{"if-modified-since", "Mon, 07 Dec 2026 07:59:50 GMT"}},
                        true},
        ConditionalCase{"ims_before_date",
                        200,
                        "",
                        "",
                        {{"if-modified-since", "Mon, 07 Dec 2026 07:59:49 GMT"}},
                        false},
        // §13.2.1: preconditions only turn what would be a 2xx into 304.
        ConditionalCase{"not_for_404", 404, "\"a\"", "", {{"if-none-match", "\"a\""}}, false},
        ConditionalCase{"not_for_301", 301, "\"a\"", "", {{"if-none-match", "*"}}, false}),
    testing::CaseLabel{});

}  // namespace
}  // namespace archway::cache
