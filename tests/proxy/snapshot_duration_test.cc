// parse_duration / format_duration: Go-style spellings, millisecond precision.

#include <gtest/gtest.h>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

TEST(ParseDurationTest, Accepts) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"0", 0},          {"0s", 0},          {"250ms", 250},    {"15s", 15000},
      {"1m", 60000},     {"1h30m", 5400000}, {"1.5s", 1500},    {"0.25m", 15000},
      {"1h1m1s1ms", 3661001}, {".5s", 500},  {"1.s", 1000},     {"2.0010s", 2001},
      {"1.000000000000s", 1000},
  };
  for (const auto& [text, ms] : cases) {
    auto d = parse_duration(text);
    ASSERT_TRUE(d.ok()) << text << ": " << d.error().message;
    EXPECT_EQ(d->count(), ms) << text;
  }
}

TEST(ParseDurationTest, Rejects) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "invalid duration \"\": empty"},
      {"-1s", "invalid duration \"-1s\": negative"},
      {"5", "invalid duration \"5\": unit must be one of ms, s, m, h"},
      {"5d", "invalid duration \"5d\": unit must be one of ms, s, m, h"},
      {"5us", "invalid duration \"5us\": unit must be one of ms, s, m, h"},
      {"s", "invalid duration \"s\": expected a number"},
      {".s", "invalid duration \".s\": expected a number"},
      {"1s 2ms", "invalid duration \"1s 2ms\": expected a number"},
      {"1.5ms", "invalid duration \"1.5ms\": not a whole number of milliseconds"},
      {"0.0001s", "invalid duration \"0.0001s\": not a whole number of milliseconds"},
      {"1.0000000001s", "invalid duration \"1.0000000001s\": not a whole number of milliseconds"},
      {"999999999999h", "invalid duration \"999999999999h\": too large"},
      {"99999999999999999999999ms", "invalid duration \"99999999999999999999999ms\": too large"},
  };
  for (const auto& [text, message] : cases) {
    auto d = parse_duration(text);
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.error().message, message);
  }
}

TEST(FormatDurationTest, IsCanonicalAndRoundTrips) {
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "0s"}, {1, "1ms"}, {1500, "1s500ms"}, {60000, "1m"}, {5400000, "1h30m"},
      {3661001, "1h1m1s1ms"}, {90000000, "25h"},
  };
  for (const auto& [ms, text] : cases) {
    EXPECT_EQ(format_duration(Duration(ms)), text);
    EXPECT_EQ(parse_duration(text)->count(), ms);
  }
}

}  // namespace
}  // namespace archway::config
