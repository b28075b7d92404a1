// An aggregate part's request (filters/aggregate/part_request.h): the path
// template filled with percent-encoded captures, and the client headers a
// rule forwards.

#include <gtest/gtest.h>

#include "proxy/filters/aggregate/part_request.h"

namespace archway::filters::aggregate {
namespace {

struct FillCase {
  const char* name;
  const char* text;
  Captures captures;
  const char* want;
};

class FillPartPathTest : public ::testing::TestWithParam<FillCase> {};

TEST_P(FillPartPathTest, FillsCapturesPercentEncoded) {
  EXPECT_EQ(fill_part_path(GetParam().text, GetParam().captures), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FillPartPathTest,
    ::testing::Values(
        FillCase{"no_reference", "/orders", {{"id", "42"}}, "/orders"},
        FillCase{"one_capture", "/orders/{id}", {{"id", "42"}}, "/orders/42"},
        FillCase{"twice_and_query",
                 "/c/{id}?order={id}&full=1",
                 {{"id", "a-7"}},
                 "/c/a-7?order=a-7&full=1"},
        FillCase{"two_captures", "/{a}/x/{b}", {{"a", "1"}, {"b", "2"}}, "/1/x/2"},
        FillCase{"unreserved_kept", "/{id}", {{"id", "Az09-._~"}}, "/Az09-._~"},
        FillCase{
            "query_delimiters_encoded", "/o?id={id}", {{"id", "1&admin=1"}}, "/o?id=1%26admin%3D1"},
        FillCase{"slash_question_hash_encoded", "/o/{id}", {{"id", "a/b?c#d"}}, "/o/a%2Fb%3Fc%23d"},
        FillCase{"space_and_utf8_encoded", "/o/{id}", {{"id", "a b\xc3\xa9"}}, "/o/a%20b%C3%A9"},
        FillCase{"existing_escape_kept", "/o/{id}", {{"id", "a%20b"}}, "/o/a%20b"},
        FillCase{"lone_percent_encoded", "/o/{id}", {{"id", "100%"}}, "/o/100%25"},
        FillCase{"dot_segment_encoded", "/o/{id}/items", {{"id", ".."}}, "/o/%2E%2E/items"},
        FillCase{"single_dot_encoded", "/o/{id}", {{"id", "."}}, "/o/%2E"},
        FillCase{"dots_inside_kept", "/o/{id}", {{"id", "a..b"}}, "/o/a..b"},
        FillCase{"missing_capture_empty", "/o/{id}", {}, "/o/"},
        FillCase{"unbalanced_brace_literal", "/o/{id", {{"id", "1"}}, "/o/{id"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

http::Headers client_headers() {
  return {{"accept-language", "fr"},        {"authorization", "Bearer t"}, {"cookie", "s=1"},
          {"traceparent", "00-abc-def-01"}, {"x-request-id", "r1"},        {"x-other", "no"}};
}

TEST(ForwardedHeaders, DefaultListWithoutAuthorization) {
  const config::Aggregate aggregate;
  const http::Headers want = {
      {"accept-language", "fr"}, {"traceparent", "00-abc-def-01"}, {"x-request-id", "r1"}};
  EXPECT_EQ(forwarded_headers(client_headers(), aggregate), want);
}

TEST(ForwardedHeaders, AuthorizationOnlyWhenTheRuleSaysSo) {
  config::Aggregate aggregate;
  aggregate.forward_headers = {"cookie"};
  aggregate.forward_authorization = true;
  const http::Headers want = {{"authorization", "Bearer t"}, {"cookie", "s=1"}};
  EXPECT_EQ(forwarded_headers(client_headers(), aggregate), want);
}

TEST(ForwardedHeaders, EmptyListForwardsNothing) {
  config::Aggregate aggregate;
  aggregate.forward_headers.clear();
  EXPECT_TRUE(forwarded_headers(client_headers(), aggregate).empty());
}

}  // namespace
}  // namespace archway::filters::aggregate
