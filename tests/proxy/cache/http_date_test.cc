// HTTP dates, RFC 9110 §5.6.7: the three formats a recipient accepts, one
// row per rule of the grammar.

#include "proxy/cache/http_date.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

namespace archway::cache {
namespace {

using namespace std::chrono;

struct DateCase {
  const char* label;
  const char* text;
  std::optional<sys_seconds> want;
};

constexpr sys_seconds at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

class ParseHttpDate : public ::testing::TestWithParam<DateCase> {};

TEST_P(ParseHttpDate, ReadsTheFormatsOfRfc9110) {
  EXPECT_EQ(parse_http_date(GetParam().text, year{2026}), GetParam().want) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110Section5_6_7, ParseHttpDate,
    ::testing::Values(
        // §5.6.7: IMF-fixdate, the preferred format.
        DateCase{"imf_fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", at(1994, 11, 6, 8, 49, 37)},
        // §5.6.7: obsolete RFC 850 format, two-digit year.
        DateCase{"rfc850", "Sunday, 06-Nov-94 08:49:37 GMT", at(1994, 11, 6, 8, 49, 37)},
        // §5.6.7: a two-digit year more than 50 years ahead is the past century.
        DateCase{"rfc850_year_within_50_years_ahead", "Monday, 01-Jan-60 00:00:00 GMT",
                 at(2060, 1, 1, 0, 0, 0)},
        DateCase{"rfc850_year_past_50_years_ahead", "Tuesday, 01-Jan-77 00:00:00 GMT",
                 at(1977, 1, 1, 0, 0, 0)},
        // §5.6.7: obsolete asctime format, day padded with a space.
        DateCase{"asctime_single_digit_day", "Sun Nov  6 08:49:37 1994",
                 at(1994, 11, 6, 8, 49, 37)},
        DateCase{"asctime_two_digit_day", "Thu Nov 16 08:49:37 1994", at(1994, 11, 16, 8, 49, 37)},
        // §5.6.7: recipients may ignore a weekday that does not match the date.
        DateCase{"wrong_weekday_accepted", "Mon, 06 Nov 1994 08:49:37 GMT",
                 at(1994, 11, 6, 8, 49, 37)},
        // §5.6.7 second = 2DIGIT: a leap second.
        DateCase{"leap_second", "Sat, 31 Dec 2016 23:59:60 GMT", at(2017, 1, 1, 0, 0, 0)},
        // Surrounding whitespace of a field value (§5.5 OWS).
        DateCase{"surrounding_whitespace", "  Sun, 06 Nov 1994 08:49:37 GMT ",
                 at(1994, 11, 6, 8, 49, 37)},
        // §5.6.7 grammar: GMT is case-sensitive, and nothing else is UTC.
        DateCase{"utc_instead_of_gmt", "Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
        DateCase{"lower_case_month", "Sun, 06 nov 1994 08:49:37 GMT", std::nullopt},
        DateCase{"day_not_in_month", "Mon, 31 Feb 2025 08:49:37 GMT", std::nullopt},
        DateCase{"hour_24", "Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
        DateCase{"one_digit_day_in_fixdate", "Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
        DateCase{"trailing_garbage", "Sun, 06 Nov 1994 08:49:37 GMT x", std::nullopt},
        DateCase{"a_number", "0", std::nullopt}, DateCase{"empty", "", std::nullopt}),
    testing::CaseLabel{});

TEST(AppendHttpDate, WritesImfFixdate) {
  std::string out = "x";
  append_http_date(out, at(1994, 11, 6, 8, 49, 37));
  EXPECT_EQ(out, "xSun, 06 Nov 1994 08:49:37 GMT");
}

TEST(AppendHttpDate, RoundTripsThroughParse) {
  for (sys_seconds t :
       {at(1970, 1, 1, 0, 0, 0), at(2000, 2, 29, 23, 59, 59), at(2026, 12, 7, 8, 20, 1)}) {
    std::string out;
    append_http_date(out, t);
    EXPECT_EQ(parse_http_date(out), t) << out;
  }
}

}  // namespace
}  // namespace archway::cache
