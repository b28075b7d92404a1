// The cache key (docs/cache.md "Key") and the response's Vary (RFC 9111
// §4.1): which requests share an entry and which do not.

#include "proxy/cache/cache_key.h"

#include <gtest/gtest.h>

#include "tests/proxy/cache/case_label.h"

namespace archway::cache {
namespace {

struct KeyInput {
  std::string scheme = "http", authority = "example.com", path = "/a", query;
  http::Headers headers;
  std::vector<std::string> vary;
  std::string identity;
  uint64_t fingerprint = 1;

  [[nodiscard]] std::string key() const {
    return primary_key(scheme, authority, path, query, headers, vary, identity, fingerprint);
  }
};

struct KeyCase {
  const char* label;
  KeyInput a, b;
  bool same;
};

KeyInput with(void (*edit)(KeyInput&)) {
  KeyInput k;
  edit(k);
  return k;
}

class PrimaryKey : public ::testing::TestWithParam<KeyCase> {};

TEST_P(PrimaryKey, SharesAnEntryOnlyWhenTheRequestsAreTheSame) {
  EXPECT_EQ(GetParam().a.key() == GetParam().b.key(), GetParam().same)
      << GetParam().a.key() << " vs " << GetParam().b.key();
}

INSTANTIATE_TEST_SUITE_P(
    Key, PrimaryKey,
    ::testing::Values(
        KeyCase{"identical", {}, {}, true},
        // RFC 3986 §6.2.2.1: the host is case-insensitive.
        KeyCase{"host_case", {}, with([](KeyInput& k) { k.authority = "EXAMPLE.com"; }), true},
        // RFC 3986 §6.2.3: a default port is the same origin.
        KeyCase{"default_http_port",
                {},
                with([](KeyInput& k) { k.authority = "example.com:80"; }),
                true},
        KeyCase{
            "other_port", {}, with([](KeyInput& k) { k.authority = "example.com:8080"; }), false},
        KeyCase{"scheme", {}, with([](KeyInput& k) { k.scheme = "https"; }), false},
        KeyCase{"path", {}, with([](KeyInput& k) { k.path = "/b"; }), false},
        // RFC 9111 §2: the target URI, query included.
        KeyCase{"query", {}, with([](KeyInput& k) { k.query = "x=1"; }), false},
        // RFC 3986 §6.2.2.1: percent-encoding hex digits are case-insensitive.
        KeyCase{"percent_hex_case", with([](KeyInput& k) { k.query = "q=%2f"; }),
                with([](KeyInput& k) { k.query = "q=%2F"; }), true},
        KeyCase{"parameter_order_kept", with([](KeyInput& k) { k.query = "a=1&b=2"; }),
                with([](KeyInput& k) { k.query = "b=2&a=1"; }), false},
        KeyCase{"empty_query_and_none", with([](KeyInput& k) { k.query = ""; }), {}, true},
        // The rule's varyHeaders: values part of the key, absent ≠ empty.
        KeyCase{"vary_header_value", with([](KeyInput& k) {
                  k.vary = {"accept"};
                  k.headers.add("accept", "text/html");
                }),
                with([](KeyInput& k) {
                  k.vary = {"accept"};
                  k.headers.add("accept", "application/json");
                }),
                false},
        KeyCase{"vary_header_absent_vs_empty", with([](KeyInput& k) { k.vary = {"accept"}; }),
                with([](KeyInput& k) {
                  k.vary = {"accept"};
                  k.headers.add("accept", "");
                }),
                false},
        KeyCase{"vary_header_lines_joined", with([](KeyInput& k) {
                  k.vary = {"accept"};
                  k.headers.add("accept", "a");
                  k.headers.add("accept", " b ");
                }),
                with([](KeyInput& k) {
                  k.vary = {"accept"};
                  k.headers.add("accept", "a, b");
                }),
                true},
        KeyCase{"header_not_in_vary_ignored",
                {},
                with([](KeyInput& k) { k.headers.add("accept", "x"); }),
                true},
        KeyCase{"identity", {}, with([](KeyInput& k) { k.identity = "alice"; }), false},
        KeyCase{"route_fingerprint", {}, with([](KeyInput& k) { k.fingerprint = 2; }), false},
        // The query's '?' stays apart from a path (which never holds one).
        KeyCase{"no_query_vs_query", with([](KeyInput& k) { k.path = "/a"; }),
                with([](KeyInput& k) { k.query = "x=1"; }), false}),
    testing::CaseLabel{});

TEST(NormalizeAuthority, LowerCasesAndDropsDefaultPorts) {
  EXPECT_EQ(normalize_authority("Example.COM:443"), "example.com");
  EXPECT_EQ(normalize_authority("example.com:8443"), "example.com:8443");
  EXPECT_EQ(normalize_authority("[::1]:80"), "[::1]");
  EXPECT_EQ(normalize_authority("[::1]"), "[::1]");
}

TEST(VaryValues, Rfc9111Section4_1_NamesLowerCasedWithTheRequestsValues) {
  const http::Headers response = {{"vary", "Accept, accept-encoding"}, {"vary", "X-Tenant"}};
  const http::Headers request = {{"accept", "text/html"}, {"accept-encoding", "gzip"}};
  const auto values = vary_values(response, request);
  ASSERT_TRUE(values);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"accept", "text/html"}, {"accept-encoding", "gzip"}, {"x-tenant", std::string(kAbsent)}};
  EXPECT_EQ(*values, want);
}

TEST(VaryValues, Rfc9111Section4_1_StarNeverMatches) {
  EXPECT_FALSE(vary_values({{"vary", "accept, *"}}, {}));
}

TEST(VaryValues, DuplicateNamesOnce) {
  const auto values = vary_values({{"vary", "accept, Accept"}}, {});
  ASSERT_TRUE(values);
  EXPECT_EQ(values->size(), 1u);
}

struct VaryCase {
  const char* label;
  http::Headers request;
  bool matches;
};

class VaryMatches : public ::testing::TestWithParam<VaryCase> {};

TEST_P(VaryMatches, SelectsTheVariantOfRfc9111Section4_1) {
  Entry e;
  e.vary = {{"accept", "text/html"}, {"x-tenant", std::string(kAbsent)}};
  EXPECT_EQ(vary_matches(e, GetParam().request), GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9111Section4_1, VaryMatches,
    ::testing::Values(
        VaryCase{"same_values", {{"accept", "text/html"}}, true},
        // §4.1: whitespace around the value is not significant.
        VaryCase{"surrounding_whitespace", {{"accept", "  text/html "}}, true},
        VaryCase{"other_value", {{"accept", "text/plain"}}, false},
        // §4.1: a field absent at fill time must be absent now.
        VaryCase{"field_now_present", {{"accept", "text/html"}, {"x-tenant", "a"}}, false},
        VaryCase{"field_now_absent", {}, false},
        VaryCase{"unrelated_fields", {{"accept", "text/html"}, {"cookie", "x"}}, true}),
    testing::CaseLabel{});

}  // namespace
}  // namespace archway::cache
