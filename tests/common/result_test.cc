#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace archway {
namespace {

Result<int> parse_port(const std::string& s) {
  if (s.empty()) return invalid("port", "must not be empty");
  int v = std::stoi(s);
  if (v < 1 || v > 65535) return invalid("port", "must be 1..65535, got " + s);
  return v;
}

TEST(ResultTest, CarriesValueOrError) {
  struct Case {
    std::string input;
    bool ok;
    int value;
    std::string message;
  };
  const Case cases[] = {
      {"8080", true, 8080, ""},
      {"", false, 0, "port: must not be empty"},
      {"70000", false, 0, "port: must be 1..65535, got 70000"},
  };
  for (const auto& c : cases) {
    auto r = parse_port(c.input);
    ASSERT_EQ(r.ok(), c.ok) << c.input;
    if (c.ok) {
      EXPECT_EQ(r.value(), c.value);
    } else {
      EXPECT_EQ(r.error().to_string(), c.message);
      EXPECT_EQ(r.error().code, Error::Code::kInvalidArgument);
    }
  }
}

TEST(ResultTest, MovesOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, VoidResult) {
  Result<void> ok;
  EXPECT_TRUE(ok.ok());
  Result<void> bad = invalid("x", "nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "x: nope");
}

}  // namespace
}  // namespace archway
