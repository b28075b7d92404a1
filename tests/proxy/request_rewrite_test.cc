#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/exchange/request_rewrite.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::exchange {

using http::find_header;
using http::Header;
using http::is_hop_by_hop;
namespace {

TEST(RequestRewrite, HeaderOps) {
  Headers h{{"x-env", "dev"}, {"cookie", "a"}, {"x-keep", "1"}};
  config::HeaderOps ops;
  ops.set = {config::HeaderValue{"X-Env", "prod"}};
  ops.add = {config::HeaderValue{"X-Add", "1"}};
  ops.remove = {"Cookie"};
  apply_header_ops(ops, h);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].name, "x-keep");
  EXPECT_EQ(h[1].name, "x-env");
  EXPECT_EQ(h[1].value, "prod");
  EXPECT_EQ(h[2].name, "x-add");
  // remove runs first, so a set of a removed name still lands.
  config::HeaderOps again;
  again.remove = {"x-env"};
  again.set = {config::HeaderValue{"x-env", "x"}};
  apply_header_ops(again, h);
  const Header* env = find_header(h, "x-env");
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->value, "x");
}

// Moved from route_actions_test.cc when routing's copy of apply_header_ops
// was removed: every field of a set name is replaced by one, in order.
TEST(ApplyHeaderOpsTest, RemoveThenSetThenAdd) {
  config::HeaderOps ops;
  ops.remove = {"Cookie", "X-Gone"};
  ops.set = {{"X-Env", "prod"}, {"Cookie", "fresh"}};
  ops.add = {{"Via", "archway"}, {"x-env", "extra"}};
  Headers headers = {{"cookie", "a"},   {"x-env", "dev"}, {"accept", "*/*"},
                     {"x-env", "dev2"}, {"x-gone", "1"},  {"cookie", "b"}};
  apply_header_ops(ops, headers);
  const std::vector<std::pair<std::string, std::string>> want = {{"accept", "*/*"},
                                                                 {"x-env", "prod"},
                                                                 {"cookie", "fresh"},
                                                                 {"via", "archway"},
                                                                 {"x-env", "extra"}};
  std::vector<std::pair<std::string, std::string>> got;
  for (const Header& h : headers) got.emplace_back(h.name, h.value);
  EXPECT_EQ(got, want);
}

TEST(RequestRewrite, ForwardingHeaders) {
  std::mt19937_64 rng(1);
  Headers h{{"x-forwarded-for", "1.1.1.1"}, {"x-forwarded-proto", "https"}};
  add_forwarding_headers(h, "10.0.0.1", "http", rng);
  EXPECT_EQ(find_header(h, "x-forwarded-for")->value, "1.1.1.1, 10.0.0.1");
  EXPECT_EQ(find_header(h, "x-forwarded-proto")->value, "http");
  ASSERT_NE(find_header(h, "x-request-id"), nullptr);
  EXPECT_EQ(find_header(h, "x-request-id")->value.size(), 36u);
  ASSERT_NE(find_header(h, "traceparent"), nullptr);
  EXPECT_TRUE(valid_traceparent(find_header(h, "traceparent")->value));
}

TEST(RequestRewrite, KeepsValidTraceparent) {
  std::mt19937_64 rng(1);
  const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  Headers h{{"traceparent", tp}, {"x-request-id", "abc"}};
  add_forwarding_headers(h, "10.0.0.1", "http", rng);
  EXPECT_EQ(find_header(h, "traceparent")->value, tp);
  EXPECT_EQ(find_header(h, "x-request-id")->value, "abc");
  EXPECT_FALSE(valid_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(valid_traceparent("garbage"));
}

TEST(RequestRewrite, ForwardingHeadersWriteTheTracersFlags) {
  std::mt19937_64 rng(1);
  // An invalid field goes; the new one carries the tracer's decision.
  Headers h{{"traceparent", "00-zz"}};
  add_forwarding_headers(h, "10.0.0.1", "http", rng, 0);
  size_t fields = 0;
  for (const Header& f : h) fields += f.name == "traceparent" ? 1 : 0;
  EXPECT_EQ(fields, 1u);
  const std::string& tp = find_header(h, "traceparent")->value;
  EXPECT_TRUE(valid_traceparent(tp)) << tp;
  EXPECT_EQ(tp.substr(53), "00");
  EXPECT_EQ(sampled_trace_id(h), "") << "not sampled: no exemplar";
  Headers off;
  add_forwarding_headers(off, "10.0.0.1", "http", rng);
  EXPECT_EQ(find_header(off, "traceparent")->value.substr(53), "01");
}

TEST(RequestRewrite, ValidTraceparentTable) {
  const std::string ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const struct {
    std::string value;
    bool valid;
  } cases[] = {
      {ok, true},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
      {"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", false},
      {"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", false},
      {"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
      {ok.substr(0, 54), false},
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(valid_traceparent(c.value), c.valid) << c.value;
}

TEST(HopByHop, ConnectionTokens) {
  Headers h{{"x-a", "1"}, {"x-b", "2"}, {"x-forwarded-for", "1.2.3.4"}};
  remove_connection_tokens(h, "X-A, x-forwarded-for");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].name, "x-b");
  EXPECT_TRUE(is_hop_by_hop("transfer-encoding"));
  EXPECT_TRUE(is_hop_by_hop("te"));
  EXPECT_FALSE(is_hop_by_hop("trailers"));
}

}  // namespace
}  // namespace archway::exchange
