#include "proxy/tracing/trace_context.h"

#include <gtest/gtest.h>

#include <string>

namespace archway::tracing {
namespace {

struct ParseCase {
  const char* name;
  std::string value;
  bool valid;
};

constexpr const char* kGood = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceParent, ParseTable) {
  const ParseCase cases[] = {
      {"sampled", kGood, true},
      {"not sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
      {"uppercase hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
      {"zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
      {"zero parent id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
      {"version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
      {"version 00 with more", std::string(kGood) + "-x", false},
      {"future version with more", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",
       true},
      {"future version, no dash after", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
       false},
      {"short", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", false},
      {"missing dash", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
      {"not hex", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", false},
      {"empty", "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_traceparent(c.value).has_value(), c.valid) << c.name;
  }
}

TEST(TraceParent, Fields) {
  const auto tp = parse_traceparent(kGood);
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->trace.hi, 0x4bf92f3577b34da6ULL);
  EXPECT_EQ(tp->trace.lo, 0xa3ce929d0e0e4736ULL);
  EXPECT_EQ(tp->parent, 0x00f067aa0ba902b7ULL);
  EXPECT_TRUE(tp->sampled());
  EXPECT_FALSE(
      parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02")->sampled());
}

TEST(TraceParent, FormatRoundTrips) {
  const auto tp = parse_traceparent(kGood);
  ASSERT_TRUE(tp);
  const auto out = format_traceparent(tp->trace, tp->parent, tp->flags);
  EXPECT_EQ(std::string(out.data(), out.size()), kGood);
  const auto other = format_traceparent(TraceId{1, 2}, 0xab, 0);
  EXPECT_EQ(std::string(other.data(), other.size()),
            "00-00000000000000010000000000000002-00000000000000ab-00");
}

TEST(TraceParent, Hex) {
  EXPECT_EQ(to_hex(TraceId{0x0123456789abcdefULL, 0xfedcba9876543210ULL}),
            "0123456789abcdeffedcba9876543210");
  EXPECT_EQ(to_hex(SpanId{0x1f}), "000000000000001f");
}

TEST(TraceParent, NewIdsAreValidAndDiffer) {
  std::mt19937_64 rng(7);
  const TraceId a = new_trace_id(rng), b = new_trace_id(rng);
  EXPECT_TRUE(a.valid());
  EXPECT_FALSE(a == b);
  EXPECT_NE(new_span_id(rng), 0u);
}

}  // namespace
}  // namespace archway::tracing
