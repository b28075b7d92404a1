// loadBalancer of a cluster (and of an APIRoute rule): the policy's enum,
// hashOn only with ConsistentHash and exactly one key there, cookie names,
// paths and TTLs that are safe to put in a Set-Cookie.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class LoadBalancerDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(LoadBalancerDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<LoadBalancer>(GetParam().json, "lb"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoadBalancerDecodeTest,
    ::testing::Values(
        PolicyCase{"empty_is_least_request", R"({})", ""},
        PolicyCase{"round_robin", R"({"policy": "RoundRobin"})", ""},
        PolicyCase{"least_request", R"({"policy": "LeastRequest"})", ""},
        PolicyCase{"hash_header", R"({"policy": "ConsistentHash", "hashOn": {"header": "X-User"}})",
                   ""},
        PolicyCase{"hash_cookie",
                   R"({"policy": "ConsistentHash",
                       "hashOn": {"cookie": {"name": "lb", "ttl": "1h", "path": "/app"}}})",
                   ""},
        PolicyCase{"hash_client",
                   R"({"policy": "ConsistentHash", "hashOn": {"clientAddress": true}})", ""},
        PolicyCase{"unknown_policy", R"({"policy": "Random"})",
                   "lb.policy: must be one of LeastRequest, RoundRobin, ConsistentHash"},
        PolicyCase{"unknown_field", R"({"policy": "RoundRobin", "slowStart": "10s"})",
                   "lb.slowStart: unknown field"},
        PolicyCase{"hash_without_key", R"({"policy": "ConsistentHash"})",
                   "lb.hashOn: is required with policy ConsistentHash"},
        PolicyCase{"key_without_hash", R"({"policy": "RoundRobin", "hashOn": {"header": "x"}})",
                   "lb.hashOn: only valid with policy ConsistentHash"},
        PolicyCase{
            "two_keys",
            R"({"policy": "ConsistentHash", "hashOn": {"header": "x", "clientAddress": true}})",
            "lb.hashOn: must set exactly one of header, cookie, clientAddress"},
        PolicyCase{"client_false",
                   R"({"policy": "ConsistentHash", "hashOn": {"clientAddress": false}})",
                   "lb.hashOn: must set exactly one of header, cookie, clientAddress"},
        PolicyCase{"bad_header", R"({"policy": "ConsistentHash", "hashOn": {"header": "x y"}})",
                   "lb.hashOn.header: invalid header name \"x y\""},
        PolicyCase{"cookie_without_name",
                   R"({"policy": "ConsistentHash", "hashOn": {"cookie": {}}})",
                   "lb.hashOn.cookie.name: is required"},
        PolicyCase{"cookie_bad_name",
                   R"({"policy": "ConsistentHash", "hashOn": {"cookie": {"name": "a=b"}}})",
                   "lb.hashOn.cookie.name: must be a cookie name (an RFC 9110 token, 1 to 256 "
                   "bytes)"},
        PolicyCase{
            "cookie_path_relative",
            R"({"policy": "ConsistentHash", "hashOn": {"cookie": {"name": "lb", "path": "app"}}})",
            "lb.hashOn.cookie.path: must start with '/'"},
        PolicyCase{"cookie_path_semicolon",
                   R"({"policy": "ConsistentHash",
                       "hashOn": {"cookie": {"name": "lb", "path": "/a;Domain=evil"}}})",
                   "lb.hashOn.cookie.path: must not contain whitespace, control characters, ';' "
                   "or ','"},
        PolicyCase{
            "cookie_ttl_type",
            R"({"policy": "ConsistentHash", "hashOn": {"cookie": {"name": "lb", "ttl": 5}}})",
            "lb.hashOn.cookie.ttl: expected duration string"}),
    testing::case_name);

TEST(LoadBalancerDecode, HeaderNameIsLowerCased) {
  auto parsed = parse_policy<LoadBalancer>(
      Json::parse(R"({"policy": "ConsistentHash", "hashOn": {"header": "X-Tenant"}})"), "lb");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->hash_on->header, "x-tenant");
}

TEST(LoadBalancerDecode, RoundTripsThroughCanonicalJson) {
  testing::expect_round_trip(LoadBalancer{BalancerPolicy::kRoundRobin, std::nullopt});
  LoadBalancer cookie{BalancerPolicy::kConsistentHash, HashOn{}};
  cookie.hash_on->cookie = HashCookie{"lb", std::chrono::milliseconds(3600000), "/app"};
  testing::expect_round_trip(cookie);
  LoadBalancer client{BalancerPolicy::kConsistentHash, HashOn{}};
  client.hash_on->client_address = true;
  testing::expect_round_trip(client);
}

}  // namespace
}  // namespace archway::config
