// requestBody / responseBody in the snapshot: the CRD's schema and CEL
// rules, and the JSON Pointer syntax (RFC 6901) only code can check.

#include "proxy/config/policies/json_pointer.h"
#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class BodyMappingDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(BodyMappingDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<BodyMapping>(GetParam().json, "routes[1].policies.requestBody"),
            GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BodyMappingDecodeTest,
    ::testing::Values(
        PolicyCase{"set", R"({"operations": [{"op": "Set", "path": "/a/b", "value": {"x": [1]}}]})",
                   ""},
        PolicyCase{"set_null_value",
                   R"({"operations": [{"op": "Set", "path": "/a", "value": null}]})", ""},
        PolicyCase{"every_op",
                   R"({"operations": [{"op": "Remove", "path": "/a~1b"},
                                      {"op": "Move", "from": "/x/0", "path": "/y/-"},
                                      {"op": "Wrap", "key": "data"},
                                      {"op": "Wrap", "key": "inner", "path": "/data"}],
                       "maxBytes": 1024, "onMismatch": "Reject"})",
                   ""},
        PolicyCase{"operations_required", R"({})",
                   "routes[1].policies.requestBody.operations: is required"},
        PolicyCase{"operations_empty", R"({"operations": []})",
                   "routes[1].policies.requestBody.operations: must have at least 1 entry"},
        PolicyCase{"unknown_field", R"({"operations": [{"op": "Remove", "path": "/a"}], "max": 1})",
                   "routes[1].policies.requestBody.max: unknown field"},
        PolicyCase{"op_required", R"({"operations": [{"path": "/a"}]})",
                   "routes[1].policies.requestBody.operations[0].op: is required"},
        PolicyCase{"op_unknown", R"({"operations": [{"op": "Copy", "path": "/a"}]})",
                   "routes[1].policies.requestBody.operations[0].op: must be one of Set, Remove, "
                   "Move, Wrap"},
        PolicyCase{"set_needs_value", R"({"operations": [{"op": "Set", "path": "/a"}]})",
                   "routes[1].policies.requestBody.operations[0].value: is required when op is "
                   "Set"},
        PolicyCase{"remove_needs_path", R"({"operations": [{"op": "Remove"}]})",
                   "routes[1].policies.requestBody.operations[0].path: is required when op is "
                   "Remove"},
        PolicyCase{"move_needs_from", R"({"operations": [{"op": "Move", "path": "/a"}]})",
                   "routes[1].policies.requestBody.operations[0].from: is required when op is "
                   "Move"},
        PolicyCase{"wrap_needs_key", R"({"operations": [{"op": "Wrap"}]})",
                   "routes[1].policies.requestBody.operations[0].key: is required when op is "
                   "Wrap"},
        PolicyCase{"value_only_for_set",
                   R"({"operations": [{"op": "Remove", "path": "/a", "value": 1}]})",
                   "routes[1].policies.requestBody.operations[0].value: is not allowed when op "
                   "is Remove"},
        PolicyCase{"key_only_for_wrap",
                   R"({"operations": [{"op": "Set", "path": "/a", "value": 1, "key": "k"}]})",
                   "routes[1].policies.requestBody.operations[0].key: is not allowed when op is "
                   "Set"},
        PolicyCase{
            "path_without_slash",
            R"({"operations": [{"op": "Remove", "path": "/a"}, {"op": "Remove", "path": "a"}]})",
            "routes[1].policies.requestBody.operations[1].path: "
            "must be a JSON Pointer (RFC 6901): empty or '/'-separated tokens, with \"~0\" for '~' "
            "and \"~1\" for '/'"},
        PolicyCase{
            "path_bad_escape", R"({"operations": [{"op": "Remove", "path": "/a~2"}]})",
            "routes[1].policies.requestBody.operations[0].path: "
            "must be a JSON Pointer (RFC 6901): empty or '/'-separated tokens, with \"~0\" for '~' "
            "and \"~1\" for '/'"},
        PolicyCase{
            "path_trailing_tilde", R"({"operations": [{"op": "Set", "path": "/a~", "value": 1}]})",
            "routes[1].policies.requestBody.operations[0].path: "
            "must be a JSON Pointer (RFC 6901): empty or '/'-separated tokens, with \"~0\" for '~' "
            "and \"~1\" for '/'"},
        PolicyCase{
            "from_bad_escape", R"({"operations": [{"op": "Move", "from": "/~", "path": "/b"}]})",
            "routes[1].policies.requestBody.operations[0].from: "
            "must be a JSON Pointer (RFC 6901): empty or '/'-separated tokens, with \"~0\" for '~' "
            "and \"~1\" for '/'"},
        PolicyCase{"remove_whole_body", R"({"operations": [{"op": "Remove", "path": ""}]})",
                   "routes[1].policies.requestBody.operations[0].path: must not be empty (the "
                   "whole body) for Remove and Move"},
        PolicyCase{"move_whole_body",
                   R"({"operations": [{"op": "Move", "from": "", "path": "/a"}]})",
                   "routes[1].policies.requestBody.operations[0].from: must not be empty (the "
                   "whole body)"},
        PolicyCase{"move_into_itself",
                   R"({"operations": [{"op": "Move", "from": "/a", "path": "/a/b"}]})",
                   "routes[1].policies.requestBody.operations[0].path: must not be inside from"},
        PolicyCase{"move_to_sibling_with_prefix_name",
                   R"({"operations": [{"op": "Move", "from": "/a", "path": "/ab"}]})", ""},
        PolicyCase{"wrap_empty_key", R"({"operations": [{"op": "Wrap", "key": ""}]})",
                   "routes[1].policies.requestBody.operations[0].key: must not be empty"},
        PolicyCase{"max_bytes_zero",
                   R"({"operations": [{"op": "Wrap", "key": "k"}], "maxBytes": 0})",
                   "routes[1].policies.requestBody.maxBytes: must be between 1 and 1048576"},
        PolicyCase{"max_bytes_over_cap",
                   R"({"operations": [{"op": "Wrap", "key": "k"}], "maxBytes": 1048577})",
                   "routes[1].policies.requestBody.maxBytes: must be between 1 and 1048576"},
        PolicyCase{"on_mismatch_unknown",
                   R"({"operations": [{"op": "Wrap", "key": "k"}], "onMismatch": "Drop"})",
                   "routes[1].policies.requestBody.onMismatch: must be one of Pass, Reject"}),
    testing::case_name);

TEST(BodyMappingDecode, DefaultsToSixtyFourKibibytesAndPass) {
  auto parsed = parse_policy<BodyMapping>(
      Json::parse(R"({"operations": [{"op": "Wrap", "key": "k"}]})"), "p");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->max_bytes, 64u * 1024);
  EXPECT_EQ(parsed->on_mismatch, BodyMismatch::kPass);
}

TEST(BodyMappingDecode, RoundTripsEveryOperation) {
  BodyMapping mapping;
  const auto op = [](BodyOpKind kind, std::string path, std::string from, std::string key,
                     std::string value) {
    return BodyOperation{.op = kind,
                         .path = std::move(path),
                         .from = std::move(from),
                         .key = std::move(key),
                         .value = std::move(value)};
  };
  mapping.operations = {
      op(BodyOpKind::kSet, "/a~0b", "", "", R"({"k":[1,"x",null]})"),
      op(BodyOpKind::kRemove, "/c/0", "", "", ""), op(BodyOpKind::kMove, "/d", "/e", "", ""),
      op(BodyOpKind::kWrap, "", "", "data", ""), op(BodyOpKind::kWrap, "/data", "", "inner", "")};
  mapping.max_bytes = 4096;
  mapping.on_mismatch = BodyMismatch::kReject;
  testing::expect_round_trip(mapping);
}

struct PointerCase {
  const char* pointer;
  std::optional<std::vector<std::string>> tokens;
};

TEST(JsonPointer, SplitsAndUnescapesPerRfc6901) {
  const PointerCase cases[] = {
      {"", std::vector<std::string>{}},
      {"/", std::vector<std::string>{""}},
      {"/a/b", std::vector<std::string>{"a", "b"}},
      {"/a~1b", std::vector<std::string>{"a/b"}},
      {"/m~0n", std::vector<std::string>{"m~n"}},
      // "~01" is '~' then '1', never '/' (RFC 6901 §4: ~1 first, then ~0).
      {"/~01", std::vector<std::string>{"~1"}},
      {"/a//b", std::vector<std::string>{"a", "", "b"}},
      {"/0/-", std::vector<std::string>{"0", "-"}},
      {"a", std::nullopt},
      {"/a~", std::nullopt},
      {"/a~2", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_json_pointer(c.pointer), c.tokens) << c.pointer;
  }
}

}  // namespace
}  // namespace archway::config
