// Cache-Control, RFC 9111 §5.2: one row per directive and per parsing rule.

#include "proxy/cache/cache_control.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

namespace archway::cache {
namespace {

using std::chrono::seconds;

http::Headers cc(std::initializer_list<const char*> values, const char* name = "cache-control") {
  http::Headers h;
  for (const char* v : values) h.add(name, v);
  return h;
}

TEST(ResponseDirectives, Rfc9111Section5_2_2_BooleanDirectives) {
  const auto d = parse_response_directives(
      cc({"no-store, no-cache, private, public, must-revalidate, proxy-revalidate, immutable"}));
  EXPECT_TRUE(d.no_store);          // §5.2.2.5
  EXPECT_TRUE(d.no_cache);          // §5.2.2.4
  EXPECT_TRUE(d.private_);          // §5.2.2.7
  EXPECT_TRUE(d.public_);           // §5.2.2.9
  EXPECT_TRUE(d.must_revalidate);   // §5.2.2.2
  EXPECT_TRUE(d.proxy_revalidate);  // §5.2.2.8
  EXPECT_TRUE(d.immutable);         // RFC 8246
}

TEST(ResponseDirectives, NothingSetWithoutCacheControl) {
  const auto d = parse_response_directives(cc({"no-store"}, "pragma"));
  EXPECT_FALSE(d.no_store);
  EXPECT_FALSE(d.max_age);
}

struct DeltaCase {
  const char* label;
  std::vector<const char*> fields;
  std::optional<seconds> max_age, s_maxage, swr, sie;
};

class ResponseDeltaSeconds : public ::testing::TestWithParam<DeltaCase> {};

TEST_P(ResponseDeltaSeconds, ReadsTheArguments) {
  http::Headers h;
  for (const char* v : GetParam().fields) h.add("cache-control", v);
  const auto d = parse_response_directives(h);
  EXPECT_EQ(d.max_age, GetParam().max_age);
  EXPECT_EQ(d.s_maxage, GetParam().s_maxage);
  EXPECT_EQ(d.stale_while_revalidate, GetParam().swr);
  EXPECT_EQ(d.stale_if_error, GetParam().sie);
}

INSTANTIATE_TEST_SUITE_P(Rfc9111, ResponseDeltaSeconds,
                         ::testing::Values(
                             // §5.2.2.1 max-age, §5.2.2.10 s-maxage.
                             DeltaCase{"max_age_and_s_maxage",
                                       {"max-age=60, s-maxage=30"},
                                       seconds{60},
                                       seconds{30},
                                       std::nullopt,
                                       std::nullopt},
                             // RFC 5861 §3 and §4.
                             DeltaCase{"rfc5861_windows",
                                       {"max-age=1, stale-while-revalidate=30, stale-if-error=600"},
                                       seconds{1},
                                       std::nullopt,
                                       seconds{30},
                                       seconds{600}},
                             // §5.2: directive names are case-insensitive.
                             DeltaCase{"names_case_insensitive",
                                       {"Max-Age=5, S-MAXAGE=6"},
                                       seconds{5},
                                       seconds{6},
                                       std::nullopt,
                                       std::nullopt},
                             // §5.2: every Cache-Control field line is one list.
                             DeltaCase{"several_field_lines",
                                       {"public", "max-age=7"},
                                       seconds{7},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §5.2: the quoted-string form is accepted too.
                             DeltaCase{"quoted_argument",
                                       {"max-age=\"8\""},
                                       seconds{8},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §4.2.1: a directive given twice: the first occurrence counts.
                             DeltaCase{"first_occurrence_counts",
                                       {"max-age=10", "max-age=20"},
                                       seconds{10},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §4.2.1 / §1.2.2: an invalid max-age is stale (0).
                             DeltaCase{"invalid_max_age_is_zero",
                                       {"max-age=ten"},
                                       seconds{0},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             DeltaCase{"negative_max_age_is_zero",
                                       {"max-age=-1"},
                                       seconds{0},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             DeltaCase{"max_age_without_value_is_zero",
                                       {"max-age"},
                                       seconds{0},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §1.2.2: invalid delta-seconds of other directives: absent.
                             DeltaCase{"invalid_s_maxage_absent",
                                       {"s-maxage=1.5"},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §1.2.2: larger than 2^31 → 2^31.
                             DeltaCase{"overflow_is_2_to_31",
                                       {"max-age=99999999999999999999"},
                                       seconds{int64_t{1} << 31},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             // §5.2.3: unknown directives and their arguments are ignored.
                             DeltaCase{"unknown_ignored",
                                       {"foo=\"a,max-age=3\", max-age=4"},
                                       seconds{4},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt},
                             DeltaCase{"spaces_around",
                                       {"  max-age = 9 ,public"},
                                       seconds{9},
                                       std::nullopt,
                                       std::nullopt,
                                       std::nullopt}),
                         testing::CaseLabel{});

TEST(ResponseDirectives, Rfc9111Section5_2_2_4_QualifiedNoCacheListsFields) {
  const auto d = parse_response_directives(cc({"no-cache=\"Set-Cookie, X-Session\""}));
  EXPECT_FALSE(d.no_cache);
  EXPECT_EQ(d.no_cache_fields, (std::vector<std::string>{"set-cookie", "x-session"}));
}

TEST(ResponseDirectives, Rfc9111Section5_2_2_7_QualifiedPrivateListsFields) {
  const auto d = parse_response_directives(cc({"private=\"x-user\", max-age=5"}));
  EXPECT_FALSE(d.private_);
  EXPECT_EQ(d.private_fields, std::vector<std::string>{"x-user"});
  EXPECT_EQ(d.max_age, seconds{5});
}

TEST(RequestDirectives, Rfc9111Section5_2_1) {
  const auto d = parse_request_directives(
      cc({"no-store, no-cache, only-if-cached, max-age=5, min-fresh=3, max-stale=10"}));
  EXPECT_TRUE(d.no_store);              // §5.2.1.5
  EXPECT_TRUE(d.no_cache);              // §5.2.1.4
  EXPECT_TRUE(d.only_if_cached);        // §5.2.1.7
  EXPECT_EQ(d.max_age, seconds{5});     // §5.2.1.1
  EXPECT_EQ(d.min_fresh, seconds{3});   // §5.2.1.3
  EXPECT_EQ(d.max_stale, seconds{10});  // §5.2.1.2
  EXPECT_FALSE(d.max_stale_any);
}

TEST(RequestDirectives, Rfc9111Section5_2_1_2_MaxStaleWithoutValueAcceptsAny) {
  const auto d = parse_request_directives(cc({"max-stale"}));
  EXPECT_TRUE(d.max_stale_any);
  EXPECT_FALSE(d.max_stale);
}

TEST(RequestDirectives, Rfc9111Section5_2_1_1_InvalidMaxAgeIsZero) {
  EXPECT_EQ(parse_request_directives(cc({"max-age=soon"})).max_age, seconds{0});
}

TEST(RequestDirectives, Rfc9111Section5_4_PragmaNoCacheWithoutCacheControl) {
  EXPECT_TRUE(parse_request_directives(cc({"no-cache"}, "pragma")).no_cache);
}

TEST(RequestDirectives, Rfc9111Section5_4_PragmaIgnoredWhenCacheControlPresent) {
  http::Headers h = cc({"max-age=5"});
  h.add("pragma", "no-cache");
  EXPECT_FALSE(parse_request_directives(h).no_cache);
}

}  // namespace
}  // namespace archway::cache
