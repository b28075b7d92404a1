// Age and freshness of a stored entry (RFC 9111 §4.2, §4.2.3, §5.2.1) and
// its stale uses (RFC 5861), on a fake clock.

#include "proxy/cache/entry.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

#include "proxy/cache/http_date.h"

namespace archway::cache {
namespace {

using namespace std::chrono;
using Clock = system_clock;

const Clock::time_point kT0 = Clock::time_point{sys_days{year{2026} / 12 / 7}} + hours{8};

// An entry received at kT0 (asked 100 ms before), fresh for `lifetime`.
std::shared_ptr<Entry> entry(milliseconds lifetime, seconds age_value = {},
                             seconds date_offset = {}) {
  auto e = std::make_shared<Entry>();
  e->request_time = kT0 - milliseconds{100};
  e->response_time = kT0;
  e->lifetime = lifetime;
  e->age_value = age_value;
  e->date_value_offset = date_offset;
  return e;
}

struct AgeCase {
  const char* label;
  seconds age_value, date_offset;
  milliseconds later;
  seconds want;
};

class CurrentAge : public ::testing::TestWithParam<AgeCase> {};

TEST_P(CurrentAge, FollowsRfc9111Section4_2_3) {
  const auto e = entry(seconds{60}, GetParam().age_value, GetParam().date_offset);
  EXPECT_EQ(current_age(*e, kT0 + GetParam().later), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9111Section4_2_3, CurrentAge,
    ::testing::Values(
        AgeCase{"just_received", seconds{0}, seconds{0}, milliseconds{0}, seconds{0}},
        // resident_time = now − response_time.
        AgeCase{"resident_time_adds", seconds{0}, seconds{0}, milliseconds{5000}, seconds{5}},
        // corrected_age_value = age_value + response_delay (100 ms here).
        AgeCase{"age_field_plus_delay", seconds{10}, seconds{0}, milliseconds{1950}, seconds{12}},
        // apparent_age = max(0, response_time − date_value).
        AgeCase{"apparent_age_from_date", seconds{0}, seconds{20}, milliseconds{0}, seconds{20}},
        // corrected_initial_age = max(apparent_age, corrected_age_value).
        AgeCase{"larger_of_apparent_and_age", seconds{5}, seconds{20}, milliseconds{0},
                seconds{20}},
        // A Date in the future (backend clock ahead) is no negative age.
        AgeCase{"date_ahead_is_zero", seconds{0}, seconds{-30}, milliseconds{1000}, seconds{1}}),
    testing::CaseLabel{});

TEST(Freshness, Rfc9111Section4_2_FreshUntilAgeReachesLifetime) {
  const auto e = entry(seconds{10});
  const RequestDirectives none;
  EXPECT_TRUE(fresh(*e, kT0, none));
  EXPECT_TRUE(fresh(*e, kT0 + milliseconds{9800}, none));
  EXPECT_FALSE(fresh(*e, kT0 + milliseconds{9900}, none));  // 100 ms delay counts
  EXPECT_EQ(remaining(*e, kT0 + seconds{4}), milliseconds{5900});
  EXPECT_EQ(remaining(*e, kT0 + seconds{12}), milliseconds{-2100});
}

TEST(Freshness, Rfc9111Section5_2_1_1_RequestMaxAgeRefusesOlder) {
  const auto e = entry(seconds{60});
  RequestDirectives req;
  req.max_age = seconds{5};
  EXPECT_TRUE(fresh(*e, kT0 + seconds{4}, req));
  EXPECT_FALSE(fresh(*e, kT0 + seconds{6}, req));
  req.max_age = seconds{0};
  EXPECT_FALSE(fresh(*e, kT0 + seconds{1}, req));
}

TEST(Freshness, Rfc9111Section5_2_1_3_MinFreshWantsTimeLeft) {
  const auto e = entry(seconds{60});
  RequestDirectives req;
  req.min_fresh = seconds{30};
  EXPECT_TRUE(fresh(*e, kT0 + seconds{20}, req));
  EXPECT_FALSE(fresh(*e, kT0 + seconds{40}, req));
}

TEST(StaleWindows, Rfc5861Section3_WithinStaleWhileRevalidate) {
  auto e = entry(seconds{10});
  e->stale_while_revalidate = seconds{5};
  EXPECT_FALSE(within_swr(*e, kT0 + seconds{5}));  // still fresh
  EXPECT_TRUE(within_swr(*e, kT0 + seconds{12}));
  EXPECT_FALSE(within_swr(*e, kT0 + seconds{16}));  // 10.1 + 5 s passed
  e->no_stale = true;
  EXPECT_FALSE(within_swr(*e, kT0 + seconds{12}));
}

TEST(StaleWindows, Rfc5861Section4_WithinStaleIfError) {
  auto e = entry(seconds{10});
  e->stale_if_error = seconds{60};
  EXPECT_FALSE(within_sie(*e, kT0 + seconds{5}));
  EXPECT_TRUE(within_sie(*e, kT0 + seconds{60}));
  EXPECT_FALSE(within_sie(*e, kT0 + seconds{71}));
  EXPECT_FALSE(within_swr(*e, kT0 + seconds{60}));  // the windows are separate
}

struct StaleUseCase {
  const char* label;
  seconds swr;
  bool no_stale;
  const char* request_cache_control;
  seconds later;
  StaleUse want;
};

class StaleUses : public ::testing::TestWithParam<StaleUseCase> {};

TEST_P(StaleUses, DecideWhetherAStaleEntryMayBeServed) {
  auto e = entry(seconds{10});
  e->stale_while_revalidate = GetParam().swr;
  e->no_stale = GetParam().no_stale;
  http::Headers h;
  if (*GetParam().request_cache_control) h.add("cache-control", GetParam().request_cache_control);
  EXPECT_EQ(stale_use(*e, kT0 + GetParam().later, parse_request_directives(h)), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9111AndRfc5861, StaleUses,
    ::testing::Values(
        StaleUseCase{"fresh_is_no_stale_use", seconds{5}, false, "", seconds{1}, StaleUse::kNo},
        StaleUseCase{"rfc5861_3_within_swr", seconds{5}, false, "", seconds{12},
                     StaleUse::kWhileRevalidate},
        StaleUseCase{"rfc5861_3_past_swr", seconds{5}, false, "", seconds{20}, StaleUse::kNo},
        // §5.2.1.2 max-stale without a value: any staleness.
        StaleUseCase{"max_stale_any", seconds{0}, false, "max-stale", seconds{1000},
                     StaleUse::kMaxStale},
        StaleUseCase{"max_stale_within", seconds{0}, false, "max-stale=30", seconds{30},
                     StaleUse::kMaxStale},
        StaleUseCase{"max_stale_past", seconds{0}, false, "max-stale=30", seconds{41},
                     StaleUse::kNo},
        // §5.2.2.2 must-revalidate (no_stale): not even with max-stale.
        StaleUseCase{"no_stale_refuses_max_stale", seconds{5}, true, "max-stale", seconds{12},
                     StaleUse::kNo},
        // §5.2.1.4 request no-cache: go to the backend.
        StaleUseCase{"request_no_cache", seconds{5}, false, "no-cache", seconds{12}, StaleUse::kNo},
        // §5.2.1.1 request max-age the entry exceeds.
        StaleUseCase{"request_max_age", seconds{5}, false, "max-age=5", seconds{12},
                     StaleUse::kNo}),
    testing::CaseLabel{});

TEST(MakeEntry, StoresTheHeadWithoutAgeAndHopByHopAndReadsValidators) {
  http::Response head;
  head.status = 200;
  head.headers = {{"content-type", "text/plain"},
                  {"age", "7"},
                  {"date", "Mon, 07 Dec 2026 07:59:50 GMT"},
                  {"etag", "\"v1\""},
                  {"last-modified", "Sun, 06 Dec 2026 00:00:00 GMT"},
                  {"keep-alive", "x"},
                  {"x-user", "alice"},
                  {"cache-control", "max-age=60, private=\"x-user\""}};
  FillContext context;
  context.key = "k";
  context.request_time = kT0;
  context.response_time = kT0;
  Storability s;
  s.lifetime = seconds{60};
  s.stale_if_error = seconds{9};
  const auto e = make_entry(std::move(context), head, "body", s);
  EXPECT_EQ(e->key, "k");
  EXPECT_EQ(e->body, "body");
  EXPECT_EQ(e->age_value, seconds{7});
  EXPECT_EQ(e->date_value_offset, seconds{10});
  EXPECT_EQ(e->etag, "\"v1\"");
  EXPECT_EQ(e->last_modified, "Sun, 06 Dec 2026 00:00:00 GMT");
  EXPECT_EQ(e->lifetime, seconds{60});
  EXPECT_EQ(e->stale_if_error, seconds{9});
  EXPECT_EQ(current_age(*e, kT0), seconds{10});
  EXPECT_EQ(http::find_header(e->headers, "age"), nullptr);
  EXPECT_EQ(http::find_header(e->headers, "keep-alive"), nullptr);
  EXPECT_EQ(http::find_header(e->headers, "x-user"), nullptr);  // §5.2.2.7 qualified private
  ASSERT_NE(http::find_header(e->headers, "content-type"), nullptr);
  EXPECT_GT(e->bytes(), 4u + e->headers.size() * 10);
}

}  // namespace
}  // namespace archway::cache
