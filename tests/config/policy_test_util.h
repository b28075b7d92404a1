#pragma once
// Table-driven checks shared by the policy codec tests: decode + validate a
// policy from JSON under a fixed path, and round-trip it through to_json.

#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "proxy/config/policies/codec.h"

namespace archway::config::testing {

// One row: a JSON document and the whole expected error ("" = accepted).
struct PolicyCase {
  const char* name;
  const char* json;
  const char* error;
};

// Failures print the case's name, not its bytes.
inline void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

inline std::string case_name(const ::testing::TestParamInfo<PolicyCase>& info) {
  return info.param.name;
}

// "" when decode and validate accept `json`, else "field: message".
template <typename Policy>
std::string parse_error(const std::string& json, const std::string& path) {
  auto parsed = parse_policy<Policy>(Json::parse(json), path);
  return parsed.ok() ? "" : parsed.error().to_string();
}

// to_json → decode gives an equal struct (and the same JSON again).
template <typename Policy>
void expect_round_trip(const Policy& policy) {
  const Json json = to_json(policy);
  auto back = parse_policy<Policy>(json, "p");
  ASSERT_TRUE(back.ok()) << back.error().to_string() << " in " << json.dump();
  EXPECT_EQ(*back, policy) << json.dump();
  EXPECT_EQ(to_json(*back), json);
}

}  // namespace archway::config::testing
