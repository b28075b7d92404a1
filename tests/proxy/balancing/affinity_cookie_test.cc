#include "proxy/balancing/affinity_cookie.h"

#include <gtest/gtest.h>

namespace archway::balancing {
namespace {

TEST(AffinityCookie, FindsTheNamedCookie) {
  struct Case {
    std::string_view header;
    std::string_view name;
    std::optional<std::string_view> want;
  } cases[] = {
      {"lb=abc", "lb", "abc"},
      {"a=1; lb=xyz; b=2", "lb", "xyz"},
      {"a=1;lb=xyz", "lb", "xyz"},
      {"  lb = spaced ", "lb", "spaced"},
      {"lbx=1; xlb=2", "lb", std::nullopt},
      {"lb=first; lb=second", "lb", "first"},
      {"lb=", "lb", ""},
      {"novalue; lb=v", "lb", "v"},
      {"", "lb", std::nullopt},
      {"lb=\"quoted\"", "lb", "\"quoted\""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(find_cookie(c.header, c.name), c.want) << c.header;
  }
}

TEST(AffinityCookie, ValueIsSixteenHexDigits) {
  EXPECT_EQ(cookie_value(0), "0000000000000000");
  EXPECT_EQ(cookie_value(0xdeadbeefULL), "00000000deadbeef");
  EXPECT_EQ(cookie_value(~uint64_t{0}), "ffffffffffffffff");
}

TEST(AffinityCookie, SetCookieCarriesPathMaxAgeHttpOnly) {
  using std::chrono::milliseconds;
  EXPECT_EQ(set_cookie("lb", "v", milliseconds(3600000), "/"),
            "lb=v; Path=/; Max-Age=3600; HttpOnly");
  EXPECT_EQ(set_cookie("lb", "v", milliseconds(0), "/app"), "lb=v; Path=/app; HttpOnly");
  EXPECT_EQ(set_cookie("lb", "v", milliseconds(1), "/"), "lb=v; Path=/; Max-Age=1; HttpOnly");
}

}  // namespace
}  // namespace archway::balancing
