// Where a request's token is read (auth tokenSource: Authorization: Bearer,
// another header, a cookie, a query parameter) and how it is taken out
// before forwarding, table-driven; and the token68 check at every position
// of a long token (the scan reads sixteen bytes at a time where it can).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/filters/auth/bearer.h"

namespace archway::filters::auth {
namespace {

using Kind = BearerCredentials::Kind;
using Source = config::TokenSource;

constexpr const char* kJwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

http::Request request(std::string target, http::Headers headers) {
  http::Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

struct ExtractCase {
  std::string name;
  Source source;
  std::string target;
  http::Headers headers;
  Kind kind;
  std::string token;         // kToken: the token found
  std::string target_after;  // after remove_token
  http::Headers headers_after;
};

const Source kHeader{Source::Kind::kHeader, "x-token"};
const Source kCookie{Source::Kind::kCookie, "session"};
const Source kQuery{Source::Kind::kQueryParameter, "access_token"};
const Source kBearer{};

class TokenSourceTest : public ::testing::TestWithParam<ExtractCase> {};

TEST_P(TokenSourceTest, FindsTheTokenAndRemovesOnlyIt) {
  const ExtractCase& c = GetParam();
  http::Request r = request(c.target, c.headers);
  const BearerCredentials found = find_token(c.source, r);
  EXPECT_EQ(found.kind, c.kind);
  if (c.kind == Kind::kToken) {
    EXPECT_EQ(found.token, c.token);
  }
  remove_token(c.source, r);
  EXPECT_EQ(r.target, c.target_after);
  std::vector<std::pair<std::string, std::string>> got, want;
  for (const http::Header& h : r.headers) got.emplace_back(h.name, h.value);
  for (const http::Header& h : c.headers_after) want.emplace_back(h.name, h.value);
  EXPECT_EQ(got, want);
}

const std::string jwt = kJwt;

INSTANTIATE_TEST_SUITE_P(
    Cases, TokenSourceTest,
    ::testing::Values(
        // Authorization: Bearer, the default: found, and kept for the backend.
        ExtractCase{"bearer",
                    kBearer,
                    "/a",
                    {{"authorization", "Bearer " + jwt}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {{"authorization", "Bearer " + jwt}}},
        ExtractCase{"bearer_other_scheme",
                    kBearer,
                    "/a",
                    {{"authorization", "Basic eDp5"}},
                    Kind::kNone,
                    "",
                    "/a",
                    {{"authorization", "Basic eDp5"}}},
        // Another header: its whole value; removed.
        ExtractCase{"header",
                    kHeader,
                    "/a",
                    {{"x-token", jwt}, {"accept", "*/*"}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {{"accept", "*/*"}}},
        ExtractCase{"header_absent",
                    kHeader,
                    "/a",
                    {{"authorization", "Bearer " + jwt}},
                    Kind::kNone,
                    "",
                    "/a",
                    {{"authorization", "Bearer " + jwt}}},
        ExtractCase{"header_twice",
                    kHeader,
                    "/a",
                    {{"x-token", jwt}, {"x-token", jwt}},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {}},
        ExtractCase{"header_not_token68",
                    kHeader,
                    "/a",
                    {{"x-token", "Bearer " + jwt}},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {}},
        // A cookie: the others stay, in order; a field left empty goes.
        ExtractCase{"cookie_among_others",
                    kCookie,
                    "/a",
                    {{"cookie", "theme=dark; session=" + jwt + "; lang=en"}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {{"cookie", "theme=dark; lang=en"}}},
        ExtractCase{"cookie_alone",
                    kCookie,
                    "/a",
                    {{"cookie", "session=" + jwt}, {"x", "1"}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {{"x", "1"}}},
        ExtractCase{"cookie_quoted",
                    kCookie,
                    "/a",
                    {{"cookie", "session=\"" + jwt + "\""}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {}},
        ExtractCase{"cookie_in_a_second_field",
                    kCookie,
                    "/a",
                    {{"cookie", "a=1"}, {"cookie", "session=" + jwt}},
                    Kind::kToken,
                    jwt,
                    "/a",
                    {{"cookie", "a=1"}}},
        ExtractCase{"cookie_name_is_exact",
                    kCookie,
                    "/a",
                    {{"cookie", "Session=" + jwt + "; my_session=x"}},
                    Kind::kNone,
                    "",
                    "/a",
                    {{"cookie", "Session=" + jwt + "; my_session=x"}}},
        ExtractCase{"cookie_twice",
                    kCookie,
                    "/a",
                    {{"cookie", "session=" + jwt + "; session=" + jwt}},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {}},
        ExtractCase{"cookie_empty_value",
                    kCookie,
                    "/a",
                    {{"cookie", "session=; a=1"}},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {{"cookie", "a=1"}}},
        // A query parameter: the others stay, in order; no '?' left alone.
        ExtractCase{"query_among_others",
                    kQuery,
                    "/a?x=1&access_token=" + jwt + "&y=2",
                    {},
                    Kind::kToken,
                    jwt,
                    "/a?x=1&y=2",
                    {}},
        ExtractCase{
            "query_alone", kQuery, "/a?access_token=" + jwt, {}, Kind::kToken, jwt, "/a", {}},
        ExtractCase{"query_first",
                    kQuery,
                    "/a?access_token=" + jwt + "&b=",
                    {},
                    Kind::kToken,
                    jwt,
                    "/a?b=",
                    {}},
        ExtractCase{
            "query_absent", kQuery, "/a?token=" + jwt, {}, Kind::kNone, "", "/a?token=" + jwt, {}},
        ExtractCase{"query_no_query", kQuery, "/a", {}, Kind::kNone, "", "/a", {}},
        ExtractCase{"query_twice",
                    kQuery,
                    "/a?access_token=" + jwt + "&access_token=" + jwt,
                    {},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {}},
        ExtractCase{"query_percent_encoded_is_not_decoded",
                    kQuery,
                    "/a?access_token=abc%2Edef",
                    {},
                    Kind::kMalformed,
                    "",
                    "/a",
                    {}},
        ExtractCase{"query_without_value",
                    kQuery,
                    "/a?access_token&b=1",
                    {},
                    Kind::kMalformed,
                    "",
                    "/a?b=1",
                    {}}),
    [](const ::testing::TestParamInfo<ExtractCase>& param) { return param.param.name; });

bool reference_token68(std::string_view s) {
  size_t i = 0;
  const auto is_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  while (i < s.size() && is_char(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

// Every byte value at positions inside, across and after the 16-byte
// blocks, and in the short tail, against a byte-at-a-time reference.
TEST(FindBearer, AcceptsExactlyToken68AtEveryPosition) {
  const std::string base(53, 'a');
  for (int byte = 0; byte < 256; ++byte) {
    for (const size_t at : {size_t{0}, size_t{7}, size_t{15}, size_t{16}, size_t{31}, size_t{47},
                            size_t{48}, size_t{52}}) {
      std::string token = base;
      token[at] = static_cast<char>(byte);
      http::Headers headers{{"authorization", "Bearer " + token}};
      const BearerCredentials found = find_bearer(headers);
      // A space first is one more separator after the scheme.
      const bool expected = (byte == ' ' && at == 0) || reference_token68(token);
      EXPECT_EQ(found.kind == Kind::kToken, expected) << "byte " << byte << " at " << at;
    }
  }
}

}  // namespace
}  // namespace archway::filters::auth
