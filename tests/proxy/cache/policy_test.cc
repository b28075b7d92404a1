// What may be cached: the request's eligibility and the response's
// storability and freshness lifetime (RFC 9111 §3, §4.2.1, §5.2; RFC 5861).

#include "proxy/cache/policy.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

#include "proxy/cache/http_date.h"

namespace archway::cache {
namespace {

using namespace std::chrono;

config::Cache rule(milliseconds ttl = seconds{60}) {
  config::Cache c;
  c.ttl = ttl;
  return c;
}

constexpr sys_seconds kNow = sys_days{year{2026} / 12 / 7} + hours{8};

std::string date(sys_seconds t) {
  std::string out;
  append_http_date(out, t);
  return out;
}

struct RequestCase {
  const char* label;
  const char* method;
  std::vector<std::pair<const char*, const char*>> headers;
  bool authorized_allowed;
  Bypass want;
};

class CheckRequest : public ::testing::TestWithParam<RequestCase> {};

TEST_P(CheckRequest, SaysWhyARequestBypasses) {
  http::Request request;
  request.method = GetParam().method;
  for (auto [name, value] : GetParam().headers) request.headers.add(name, value);
  config::Cache policy = rule();
  policy.cache_authorized_requests = GetParam().authorized_allowed;
  EXPECT_EQ(check_request(request, policy), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Eligibility, CheckRequest,
    ::testing::Values(
        RequestCase{"get", "GET", {}, false, Bypass::kNone},
        RequestCase{"head", "HEAD", {}, false, Bypass::kNone},
        // §2: we cache GET (and serve HEAD from it) only.
        RequestCase{"post", "POST", {}, false, Bypass::kMethod},
        RequestCase{"options", "OPTIONS", {}, false, Bypass::kMethod},
        // §3.5: a shared cache does not reuse answers to authorized requests.
        RequestCase{
            "authorization", "GET", {{"authorization", "Bearer x"}}, false, Bypass::kAuthorization},
        RequestCase{"authorization_allowed_by_rule",
                    "GET",
                    {{"authorization", "Bearer x"}},
                    true,
                    Bypass::kNone},
        // §3.3/§3.4: no partial content support.
        RequestCase{"range", "GET", {{"range", "bytes=0-1"}}, false, Bypass::kRange},
        // §5.2.1.5: request no-store.
        RequestCase{"no_store", "GET", {{"cache-control", "no-store"}}, false, Bypass::kNoStore},
        RequestCase{"no_cache_is_not_a_bypass",
                    "GET",
                    {{"cache-control", "no-cache"}},
                    false,
                    Bypass::kNone}),
    testing::CaseLabel{});

struct ResponseCase {
  const char* label;
  int status;
  std::vector<std::pair<std::string, std::string>> headers;
  NotStored want;
  milliseconds lifetime;  // checked when stored
};

class CheckResponse : public ::testing::TestWithParam<ResponseCase> {};

TEST_P(CheckResponse, StoresOnlyWhatRfc9111Allows) {
  http::Response response;
  response.status = GetParam().status;
  for (const auto& [name, value] : GetParam().headers) response.headers.add(name, value);
  const Storability s = check_response(response, rule(), kNow);
  EXPECT_EQ(s.verdict, GetParam().want) << to_string(s.verdict);
  if (GetParam().want == NotStored::kStored) {
    EXPECT_EQ(s.lifetime, GetParam().lifetime);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9111, CheckResponse,
    ::testing::Values(
        // §4.2.2 off: no explicit freshness → the rule's ttl.
        ResponseCase{"plain_200_gets_rule_ttl", 200, {}, NotStored::kStored, seconds{60}},
        // §3 / RFC 9110 §15.1: statuses cacheable by default.
        ResponseCase{"status_404", 404, {}, NotStored::kStored, seconds{60}},
        ResponseCase{"status_301", 301, {}, NotStored::kStored, seconds{60}},
        ResponseCase{"status_204", 204, {}, NotStored::kStored, seconds{60}},
        ResponseCase{"status_501", 501, {}, NotStored::kStored, seconds{60}},
        ResponseCase{"status_302_not_by_default", 302, {}, NotStored::kStatus, {}},
        ResponseCase{"status_500", 500, {}, NotStored::kStatus, {}},
        ResponseCase{"status_206_partial", 206, {}, NotStored::kStatus, {}},
        // §3: no-store.
        ResponseCase{"no_store", 200, {{"cache-control", "no-store"}}, NotStored::kNoStore, {}},
        // §3.5 / §5.2.2.7: private in a shared cache.
        ResponseCase{"private", 200, {{"cache-control", "private"}}, NotStored::kPrivate, {}},
        // §5.2.2.7 qualified private: stored without the named fields.
        ResponseCase{"qualified_private",
                     200,
                     {{"cache-control", "private=\"x-user\""}},
                     NotStored::kStored,
                     seconds{60}},
        // §5.2.2.4 no-cache: we never revalidate on every use, so not stored.
        ResponseCase{"no_cache", 200, {{"cache-control", "no-cache"}}, NotStored::kNoCache, {}},
        ResponseCase{"set_cookie", 200, {{"set-cookie", "a=b"}}, NotStored::kSetCookie, {}},
        // §5.2.2.4 qualified no-cache naming Set-Cookie: stored without it.
        ResponseCase{"set_cookie_under_qualified_no_cache",
                     200,
                     {{"set-cookie", "a=b"}, {"cache-control", "no-cache=\"set-cookie\""}},
                     NotStored::kStored,
                     seconds{60}},
        // §4.1: Vary: * never matches.
        ResponseCase{"vary_star", 200, {{"vary", "accept, *"}}, NotStored::kVaryStar, {}},
        ResponseCase{"vary_named", 200, {{"vary", "accept"}}, NotStored::kStored, seconds{60}},
        // §4.2.1: s-maxage first, then max-age; capped by the rule's ttl.
        ResponseCase{"max_age_shorter_than_ttl",
                     200,
                     {{"cache-control", "max-age=10"}},
                     NotStored::kStored,
                     seconds{10}},
        ResponseCase{"max_age_longer_than_ttl",
                     200,
                     {{"cache-control", "max-age=3600"}},
                     NotStored::kStored,
                     seconds{60}},
        ResponseCase{"s_maxage_over_max_age",
                     200,
                     {{"cache-control", "max-age=5, s-maxage=20"}},
                     NotStored::kStored,
                     seconds{20}},
        // §4.2.1: max-age=0 → lifetime 0 → not stored.
        ResponseCase{
            "max_age_zero", 200, {{"cache-control", "max-age=0"}}, NotStored::kNoFreshness, {}},
        ResponseCase{"max_age_invalid_is_stale",
                     200,
                     {{"cache-control", "max-age=x"}},
                     NotStored::kNoFreshness,
                     {}},
        // §4.2.1: Expires − Date.
        ResponseCase{"expires_minus_date",
                     200,
                     {{"date", date(kNow)}, {"expires", date(kNow + seconds{30})}},
                     NotStored::kStored,
                     seconds{30}},
        // §4.2.1: no Date → the time it was received.
        ResponseCase{"expires_without_date",
                     200,
                     {{"expires", date(kNow + seconds{15})}},
                     NotStored::kStored,
                     seconds{15}},
        // §5.3: an invalid Expires (e.g. "0") means already expired.
        ResponseCase{"expires_invalid", 200, {{"expires", "0"}}, NotStored::kNoFreshness, {}},
        ResponseCase{"expires_in_the_past",
                     200,
                     {{"date", date(kNow)}, {"expires", date(kNow - seconds{5})}},
                     NotStored::kNoFreshness,
                     {}},
        // §5.3: max-age wins over Expires.
        ResponseCase{"max_age_over_expires",
                     200,
                     {{"cache-control", "max-age=20"}, {"expires", "0"}},
                     NotStored::kStored,
                     seconds{20}},
        // §4.2.3: the ttl counts in this cache: the arrival age adds to it,
        // and a response already as old as its lifetime is not stored.
        ResponseCase{
            "age_extends_the_ttl_cap", 200, {{"age", "100"}}, NotStored::kStored, seconds{160}},
        ResponseCase{"age_within_max_age",
                     200,
                     {{"age", "30"}, {"cache-control", "max-age=50"}},
                     NotStored::kStored,
                     seconds{50}},
        ResponseCase{"age_past_max_age",
                     200,
                     {{"age", "30"}, {"cache-control", "max-age=20"}},
                     NotStored::kNoFreshness,
                     {}},
        ResponseCase{"old_date_past_max_age",
                     200,
                     {{"date", date(kNow - seconds{40})}, {"cache-control", "max-age=20"}},
                     NotStored::kNoFreshness,
                     {}}),
    testing::CaseLabel{});

TEST(CheckResponse, TooLargeByContentLength) {
  http::Response response;
  response.content_length = 1048577;
  EXPECT_EQ(check_response(response, rule(), kNow).verdict, NotStored::kTooLarge);
  response.content_length = 1048576;
  EXPECT_EQ(check_response(response, rule(), kNow).verdict, NotStored::kStored);
}

TEST(CheckResponse, SetCookieStoredWhenTheRuleAllows) {
  http::Response response;
  response.headers.add("set-cookie", "a=b");
  config::Cache policy = rule();
  policy.cache_set_cookie = true;
  EXPECT_EQ(check_response(response, policy, kNow).verdict, NotStored::kStored);
}

struct StaleCase {
  const char* label;
  const char* cache_control;
  seconds rule_swr, rule_sie;
  seconds want_swr, want_sie;
  bool want_no_stale;
};

class StaleWindows : public ::testing::TestWithParam<StaleCase> {};

TEST_P(StaleWindows, ComeFromTheResponseElseTheRule) {
  http::Response response;
  if (*GetParam().cache_control) response.headers.add("cache-control", GetParam().cache_control);
  config::Cache policy = rule();
  policy.stale_while_revalidate = GetParam().rule_swr;
  policy.stale_if_error = GetParam().rule_sie;
  const Storability s = check_response(response, policy, kNow);
  ASSERT_EQ(s.verdict, NotStored::kStored);
  EXPECT_EQ(s.stale_while_revalidate, GetParam().want_swr);
  EXPECT_EQ(s.stale_if_error, GetParam().want_sie);
  EXPECT_EQ(s.no_stale, GetParam().want_no_stale);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5861, StaleWindows,
    ::testing::Values(
        StaleCase{"off_by_default", "", seconds{0}, seconds{0}, seconds{0}, seconds{0}, false},
        StaleCase{"from_the_rule", "", seconds{30}, seconds{600}, seconds{30}, seconds{600}, false},
        // RFC 5861 §3, §4: the response's directives win over the rule.
        StaleCase{"from_the_response", "stale-while-revalidate=5, stale-if-error=7", seconds{30},
                  seconds{600}, seconds{5}, seconds{7}, false},
        // RFC 9111 §5.2.2.2 must-revalidate: never served stale.
        StaleCase{"must_revalidate", "must-revalidate, stale-while-revalidate=5", seconds{30},
                  seconds{600}, seconds{0}, seconds{0}, true},
        // §5.2.2.8 proxy-revalidate: the same, for shared caches.
        StaleCase{"proxy_revalidate", "proxy-revalidate", seconds{30}, seconds{600}, seconds{0},
                  seconds{0}, true},
        // §5.2.2.10 s-maxage implies proxy-revalidate.
        StaleCase{"s_maxage", "s-maxage=10", seconds{30}, seconds{600}, seconds{0}, seconds{0},
                  true}),
    testing::CaseLabel{});

}  // namespace
}  // namespace archway::cache
