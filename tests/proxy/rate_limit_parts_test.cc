// The rate-limit filter's pure parts: whose bucket a request takes from,
// and the response fields a client reads.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "proxy/filters/rate_limit/client_key.h"
#include "proxy/filters/rate_limit/ratelimit_fields.h"

namespace archway::filters::rate_limit {
namespace {

using namespace std::chrono_literals;

http::Request request_from(std::string peer, std::initializer_list<http::Header> headers) {
  http::Request r;
  r.client_ip = std::move(peer);
  for (const auto& h : headers) r.headers.add(h.name, h.value);
  return r;
}

struct AddressCase {
  std::string name;
  uint32_t trusted_hops;
  std::vector<std::string> forwarded;  // X-Forwarded-For fields, in order
  std::string expected;
};

class ClientAddress : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ClientAddress, IsThePeerOrTheTrustedHopsEntry) {
  const AddressCase& c = GetParam();
  http::Request r = request_from("10.0.0.9", {});
  for (const auto& value : c.forwarded) r.headers.add("x-forwarded-for", value);
  EXPECT_EQ(client_address(r, c.trusted_hops), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClientAddress,
    ::testing::Values(
        // No trusted proxy: the header is the client's own word, ignored.
        AddressCase{"no_hops_ignores_header", 0, {"1.1.1.1"}, "10.0.0.9"},
        AddressCase{"one_hop_last_entry", 1, {"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
        AddressCase{"two_hops", 2, {"6.6.6.6, 203.0.113.7, 10.1.1.1"}, "203.0.113.7"},
        // Several fields are one list (RFC 9110 §5.3).
        AddressCase{
            "fields_are_one_list", 2, {"6.6.6.6", "203.0.113.7", "10.1.1.1"}, "203.0.113.7"},
        AddressCase{"spaces_trimmed", 1, {"a ,  203.0.113.7\t"}, "203.0.113.7"},
        // Fewer entries than trusted hops: nothing trustworthy was forwarded.
        AddressCase{"too_few_entries_peer", 3, {"6.6.6.6, 203.0.113.7"}, "10.0.0.9"},
        AddressCase{"no_header_peer", 1, {}, "10.0.0.9"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(BucketKey, EachKeyKindReadsItsSource) {
  const http::Request r =
      request_from("10.0.0.9", {{"x-tenant", "acme"}, {"x-forwarded-for", "203.0.113.7"}});
  config::RateLimit limit;
  limit.key = config::RateLimitKey::kClientIp;
  EXPECT_EQ(bucket_key(limit, r, "key-1", 0), "10.0.0.9");
  EXPECT_EQ(bucket_key(limit, r, "key-1", 1), "203.0.113.7");
  limit.key = config::RateLimitKey::kApiKey;
  EXPECT_EQ(bucket_key(limit, r, "key-1", 0), "key-1");
  limit.key = config::RateLimitKey::kUser;
  EXPECT_EQ(bucket_key(limit, r, "alice", 0), "alice");
  limit.key = config::RateLimitKey::kHeader;
  limit.header = "x-tenant";
  EXPECT_EQ(bucket_key(limit, r, "", 0), "acme");
  // Without the header: the one shared bucket of keyless requests.
  limit.header = "x-missing";
  EXPECT_EQ(bucket_key(limit, r, "", 0), "");
}

TEST(RateLimitFields, PolicyNamesTheQuotaAndWindowInSeconds) {
  EXPECT_EQ(policy_field("default", ratelimit::GcraLimit::from(60, 60s, 10)),
            R"("default";q=60;w=60)");
  // A sub-second period is announced as one second: `w` is an integer.
  EXPECT_EQ(policy_field("default", ratelimit::GcraLimit::from(5, 250ms, 0)),
            R"("default";q=5;w=1)");
  EXPECT_EQ(policy_field(R"(a"b\c)", ratelimit::GcraLimit::from(1, 1h, 0)),
            R"("a\"b\\c";q=1;w=3600)");
}

TEST(RateLimitFields, LimitGivesRemainingAndSecondsToFullRoundedUp) {
  ratelimit::Decision d;
  d.remaining = 7;
  d.reset_ns = 1'500'000'000;
  EXPECT_EQ(limit_field("default", d), R"("default";r=7;t=2)");
  d.remaining = 0;
  d.reset_ns = 0;
  EXPECT_EQ(limit_field("default", d), R"("default";r=0;t=0)");
}

TEST(RateLimitFields, RetryAfterIsWholeSecondsAtLeastOne) {
  ratelimit::Decision d;
  d.retry_after_ns = 1;
  EXPECT_EQ(retry_after_seconds(d), 1);
  d.retry_after_ns = 2'000'000'000;
  EXPECT_EQ(retry_after_seconds(d), 2);
  d.retry_after_ns = 2'000'000'001;
  EXPECT_EQ(retry_after_seconds(d), 3);
}

}  // namespace
}  // namespace archway::filters::rate_limit
