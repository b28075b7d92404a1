// cache in the snapshot: the CRD's schema and CEL rule (ttl > 0), vary
// header names lower-cased.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class CacheDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(CacheDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Cache>(GetParam().json, "c"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CacheDecodeTest,
    ::testing::Values(
        PolicyCase{"minimal", R"({"ttl": "10s"})", ""},
        PolicyCase{"full",
                   R"({"ttl": "1.5s", "varyHeaders": ["Accept"], "maxBodyBytes": 67108864,
                       "cacheAuthorizedRequests": true})",
                   ""},
        PolicyCase{"ttl_required", R"({"maxBodyBytes": 1})", "c.ttl: is required"},
        PolicyCase{"unknown_field", R"({"ttl": "1s", "staleWhileError": "1m"})",
                   "c.staleWhileError: unknown field"},
        PolicyCase{"stale_windows_and_set_cookie",
                   R"({"ttl": "1s", "staleWhileRevalidate": "30s", "staleIfError": "1h",
                       "cacheSetCookie": true})",
                   ""},
        PolicyCase{"stale_while_revalidate_wrong_type",
                   R"({"ttl": "1s", "staleWhileRevalidate": 30})",
                   "c.staleWhileRevalidate: expected duration string"},
        PolicyCase{"stale_if_error_not_a_duration", R"({"ttl": "1s", "staleIfError": "1 hour"})",
                   "c.staleIfError: invalid duration \"1 hour\": unit must be one of ms, s, m, h"},
        PolicyCase{"set_cookie_wrong_type", R"({"ttl": "1s", "cacheSetCookie": "yes"})",
                   "c.cacheSetCookie: expected boolean"},
        PolicyCase{"ttl_zero", R"({"ttl": "0s"})", "c.ttl: ttl must be longer than 0s"},
        PolicyCase{"ttl_wrong_type", R"({"ttl": 10})", "c.ttl: expected duration string"},
        PolicyCase{"max_body_too_big", R"({"ttl": "1s", "maxBodyBytes": 67108865})",
                   "c.maxBodyBytes: must be between 0 and 67108864"},
        PolicyCase{"vary_not_token", R"({"ttl": "1s", "varyHeaders": ["a b"]})",
                   "c.varyHeaders[0]: invalid header name \"a b\""},
        PolicyCase{"vary_duplicate", R"({"ttl": "1s", "varyHeaders": ["Accept", "accept"]})",
                   "c.varyHeaders[1]: duplicate value \"accept\""},
        PolicyCase{"vary_too_many",
                   R"({"ttl": "1s", "varyHeaders": ["a","b","c","d","e","f","g","h","i","j",
                                                    "k","l","m","n","o","p","q"]})",
                   "c.varyHeaders: must have at most 16 entries"},
        PolicyCase{"authorized_wrong_type", R"({"ttl": "1s", "cacheAuthorizedRequests": 1})",
                   "c.cacheAuthorizedRequests: expected boolean"}),
    testing::case_name);

TEST(CacheDecode, DefaultsAndLowerCasedVaryHeaders) {
  auto cache =
      parse_policy<Cache>(Json::parse(R"({"ttl": "10s", "varyHeaders": ["Accept"]})"), "c");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ(cache->vary_headers, std::vector<std::string>{"accept"});
  EXPECT_EQ(cache->max_body_bytes, 1048576u);
  EXPECT_FALSE(cache->cache_authorized_requests);
}

TEST(CacheDecode, StaleWindowsAndSetCookieDefaultToOff) {
  auto cache = parse_policy<Cache>(Json::parse(R"({"ttl": "10s"})"), "c");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ(cache->stale_while_revalidate, std::chrono::milliseconds(0));
  EXPECT_EQ(cache->stale_if_error, std::chrono::milliseconds(0));
  EXPECT_FALSE(cache->cache_set_cookie);
}

TEST(CacheDecode, StaleWindowsAndSetCookieAreRead) {
  auto cache = parse_policy<Cache>(
      Json::parse(R"({"ttl": "10s", "staleWhileRevalidate": "30s", "staleIfError": "1h",
                      "cacheSetCookie": true})"),
      "c");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ(cache->stale_while_revalidate, std::chrono::seconds(30));
  EXPECT_EQ(cache->stale_if_error, std::chrono::hours(1));
  EXPECT_TRUE(cache->cache_set_cookie);
}

TEST(CacheDecode, RoundTripsThroughCanonicalJson) {
  testing::expect_round_trip(Cache{std::chrono::milliseconds(1500), {"accept"}, 0, true});
  testing::expect_round_trip(Cache{std::chrono::milliseconds(1500),
                                   {},
                                   10,
                                   false,
                                   std::chrono::seconds(30),
                                   std::chrono::minutes(5),
                                   true});
}

}  // namespace
}  // namespace archway::config
