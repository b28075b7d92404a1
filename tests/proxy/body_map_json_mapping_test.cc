// Body mapping's operations, one table per operation (docs/transform.md
// "Operations"): RFC 6901 pointers with ~0/~1 and array indexes, missing
// paths, type mismatches, and the order operations apply in.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "proxy/filters/body_map/json_mapping.h"

namespace archway::filters {
namespace {

using config::BodyOperation;
using config::BodyOpKind;
using Json = nlohmann::json;

struct MapCase {
  const char* name;
  std::vector<BodyOperation> operations;
  const char* body;
  const char* expected;  // the mapped JSON; nullptr: shape mismatch
};

void PrintTo(const MapCase& c, std::ostream* os) { *os << c.name; }

class JsonMappingTest : public ::testing::TestWithParam<MapCase> {};

TEST_P(JsonMappingTest, MapsOrReportsAMismatch) {
  const MapCase& c = GetParam();
  config::BodyMapping policy;
  policy.operations = c.operations;
  const JsonMapping mapping(policy);
  std::string out = "untouched";
  const MappingResult result = mapping.map(c.body, out);
  if (c.expected == nullptr) {
    EXPECT_EQ(result, MappingResult::kShapeMismatch);
    EXPECT_EQ(out, "untouched");
    return;
  }
  ASSERT_EQ(result, MappingResult::kMapped);
  EXPECT_EQ(Json::parse(out), Json::parse(c.expected)) << out;
}

BodyOperation op(BodyOpKind kind, std::string path, std::string from = "", std::string key = "",
                 std::string value = "") {
  return BodyOperation{.op = kind,
                       .path = std::move(path),
                       .from = std::move(from),
                       .key = std::move(key),
                       .value = std::move(value)};
}
BodyOperation set(std::string path, std::string value) {
  return op(BodyOpKind::kSet, std::move(path), "", "", std::move(value));
}
BodyOperation remove(std::string path) { return op(BodyOpKind::kRemove, std::move(path)); }
BodyOperation move(std::string from, std::string path) {
  return op(BodyOpKind::kMove, std::move(path), std::move(from));
}
BodyOperation wrap(std::string key, std::string path = "") {
  return op(BodyOpKind::kWrap, std::move(path), "", std::move(key));
}

std::string case_name(const ::testing::TestParamInfo<MapCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(
    Set, JsonMappingTest,
    ::testing::Values(
        MapCase{"adds_a_member", {set("/b", "2")}, R"({"a":1})", R"({"a":1,"b":2})"},
        MapCase{"replaces_a_member",
                {set("/a", R"({"x":[true]})")},
                R"({"a":1})",
                R"({"a":{"x":[true]}})"},
        MapCase{"creates_missing_objects",
                {set("/meta/source", R"("gw")")},
                R"({})",
                R"({"meta":{"source":"gw"}})"},
        MapCase{"tilde_one_is_a_slash", {set("/a~1b", "1")}, R"({})", R"({"a/b":1})"},
        MapCase{"tilde_zero_is_a_tilde", {set("/m~0n", "1")}, R"({"m~n":0})", R"({"m~n":1})"},
        MapCase{"empty_token_is_a_member", {set("/", "1")}, R"({})", R"({"":1})"},
        MapCase{"whole_body", {set("", "[1]")}, R"({"a":1})", R"([1])"},
        MapCase{"array_index_replaces",
                {set("/a/1", R"("x")")},
                R"({"a":[0,1,2]})",
                R"({"a":[0,"x",2]})"},
        MapCase{"array_dash_appends", {set("/a/-", "3")}, R"({"a":[1]})", R"({"a":[1,3]})"},
        MapCase{"array_one_past_end_appends", {set("/a/1", "3")}, R"({"a":[1]})", R"({"a":[1,3]})"},
        MapCase{"null_value", {set("/a", "null")}, R"({"a":1})", R"({"a":null})"},
        MapCase{"array_index_out_of_range", {set("/a/5", "3")}, R"({"a":[1]})", nullptr},
        MapCase{"array_index_leading_zero", {set("/a/01", "3")}, R"({"a":[1,2]})", nullptr},
        MapCase{"array_member_name", {set("/a/x", "3")}, R"({"a":[1]})", nullptr},
        MapCase{"into_a_scalar", {set("/a/b", "3")}, R"({"a":"text"})", nullptr},
        MapCase{"through_a_missing_array_element", {set("/a/3/b", "3")}, R"({"a":[]})", nullptr}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Remove, JsonMappingTest,
    ::testing::Values(
        MapCase{"a_member", {remove("/a")}, R"({"a":1,"b":2})", R"({"b":2})"},
        MapCase{"nested_with_escapes",
                {remove("/x~1y/m~0n")},
                R"({"x/y":{"m~n":1,"k":2}})",
                R"({"x/y":{"k":2}})"},
        MapCase{"an_array_element_shifts_the_rest",
                {remove("/a/0")},
                R"({"a":[1,2,3]})",
                R"({"a":[2,3]})"},
        MapCase{"missing_member_is_no_change", {remove("/zz")}, R"({"a":1})", R"({"a":1})"},
        MapCase{"missing_parent_is_no_change", {remove("/x/y/z")}, R"({"a":1})", R"({"a":1})"},
        MapCase{
            "index_past_the_end_is_no_change", {remove("/a/9")}, R"({"a":[1]})", R"({"a":[1]})"},
        MapCase{"dash_is_no_element", {remove("/a/-")}, R"({"a":[1]})", R"({"a":[1]})"},
        MapCase{"inside_a_scalar_is_no_change", {remove("/a/b")}, R"({"a":3})", R"({"a":3})"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Move, JsonMappingTest,
    ::testing::Values(
        MapCase{"renames_a_member",
                {move("/user_name", "/userName")},
                R"({"user_name":"a"})",
                R"({"userName":"a"})"},
        MapCase{"into_a_new_object",
                {move("/id", "/meta/id")},
                R"({"id":7,"x":1})",
                R"({"x":1,"meta":{"id":7}})"},
        MapCase{"out_of_an_array",
                {move("/items/0", "/first")},
                R"({"items":[1,2]})",
                R"({"items":[2],"first":1})"},
        MapCase{"appends_to_an_array",
                {move("/x", "/items/-")},
                R"({"x":3,"items":[1]})",
                R"({"items":[1,3]})"},
        MapCase{"up_a_level_replaces_the_parent",
                {move("/a/b", "/a")},
                R"({"a":{"b":1}})",
                R"({"a":1})"},
        MapCase{"onto_itself", {move("/a", "/a")}, R"({"a":1})", R"({"a":1})"},
        MapCase{"missing_from", {move("/nope", "/b")}, R"({"a":1})", nullptr},
        MapCase{"destination_into_a_scalar", {move("/a", "/b/c")}, R"({"a":1,"b":2})", nullptr}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Wrap, JsonMappingTest,
    ::testing::Values(
        MapCase{"the_whole_body", {wrap("data")}, R"({"a":1})", R"({"data":{"a":1}})"},
        MapCase{"an_array_body", {wrap("items")}, R"([1,2])", R"({"items":[1,2]})"},
        MapCase{"a_scalar_body", {wrap("value")}, R"("x")", R"({"value":"x"})"},
        MapCase{"a_member", {wrap("inner", "/a")}, R"({"a":[1]})", R"({"a":{"inner":[1]}})"},
        MapCase{"an_array_element", {wrap("k", "/a/1")}, R"({"a":[0,1]})", R"({"a":[0,{"k":1}]})"},
        MapCase{"missing_path", {wrap("k", "/nope")}, R"({"a":1})", nullptr}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    InOrder, JsonMappingTest,
    ::testing::Values(MapCase{"each_sees_the_previous_result",
                              {move("/name", "/fullName"), wrap("data"), set("/version", "2"),
                               remove("/data/secret")},
                              R"({"name":"n","secret":"s"})",
                              R"({"data":{"fullName":"n"},"version":2})"},
                      // A later failure fails the whole mapping: never half-transformed.
                      MapCase{"a_late_mismatch_fails_all",
                              {set("/a", "1"), move("/missing", "/b")},
                              R"({})",
                              nullptr}),
    case_name);

TEST(JsonMapping, NotJsonIsReportedAndLeavesTheOutputAlone) {
  config::BodyMapping policy;
  policy.operations = {wrap("k")};
  const JsonMapping mapping(policy);
  for (const char* body : {"", "{", "not json", "{\"a\":1} trailing", "\xff\xfe"}) {
    std::string out = "untouched";
    EXPECT_EQ(mapping.map(body, out), MappingResult::kNotJson) << body;
    EXPECT_EQ(out, "untouched");
  }
}

TEST(JsonMapping, NestingDeeperThanTheLimitIsNotJson) {
  config::BodyMapping policy;
  policy.operations = {wrap("k")};
  const JsonMapping mapping(policy);
  std::string out;
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(mapping.map(deep, out), MappingResult::kNotJson);
  const std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_EQ(mapping.map(at_limit, out), MappingResult::kMapped);
  // Brackets inside strings are text, not nesting.
  EXPECT_EQ(mapping.map("\"" + std::string(200, '[') + "\"", out), MappingResult::kMapped);
}

}  // namespace
}  // namespace archway::filters
