// aggregate in the snapshot: parts name clusters of the snapshot (checked as
// backends are), names distinct, paths absolute.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

std::string aggregate_error(const std::string& json) {
  const std::unordered_set<std::string> clusters = {"orders", "customers"};
  Decoder decoder;
  Aggregate aggregate;
  decode(decoder, Json::parse(json), "ag", aggregate);
  if (decoder.failed()) return decoder.error().to_string();
  auto valid = validate(aggregate, "ag", clusters);
  return valid.ok() ? "" : valid.error().to_string();
}

class AggregateDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(AggregateDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(aggregate_error(GetParam().json), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AggregateDecodeTest,
    ::testing::Values(
        PolicyCase{"two_parts",
                   R"({"parts": [{"name": "order", "cluster": "orders", "path": "/orders/{id}"},
                                 {"name": "customer", "cluster": "customers",
                                  "path": "/customers/by-order/{id}?full=1"}],
                       "onPartialFailure": "Omit"})",
                   ""},
        PolicyCase{"parts_required", R"({"onPartialFailure": "Fail"})", "ag.parts: is required"},
        PolicyCase{"parts_empty", R"({"parts": []})", "ag.parts: must have at least 1 entry"},
        PolicyCase{"unknown_field", R"({"parts": [], "timeout": "1s"})",
                   "ag.timeout: unknown field"},
        PolicyCase{"part_backend_not_cluster",
                   R"({"parts": [{"name": "o", "backend": {"name": "orders"}, "path": "/"}]})",
                   "ag.parts[0].backend: unknown field"},
        PolicyCase{"part_unknown_cluster",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "/"},
                                 {"name": "p", "cluster": "payments", "path": "/"}]})",
                   "ag.parts[1].cluster: unknown cluster \"payments\""},
        PolicyCase{"part_name_bad", R"({"parts": [{"name": "1st", "cluster": "orders",
                                                   "path": "/"}]})",
                   "ag.parts[0].name: must be 1 to 63 letters, digits, '_' or '-', not starting "
                   "with a digit or '-'"},
        PolicyCase{"part_name_duplicate",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "/"},
                                 {"name": "o", "cluster": "customers", "path": "/"}]})",
                   "ag.parts[1].name: duplicate part name \"o\""},
        PolicyCase{"part_path_relative",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "orders"}]})",
                   "ag.parts[0].path: must start with '/' and hold no spaces or control "
                   "characters (at most 1024 bytes)"},
        PolicyCase{"part_path_wrong_type",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": 1}]})",
                   "ag.parts[0].path: expected string"},
        PolicyCase{"part_timeout_required_max_body",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "/", "timeout": "250ms",
                                  "required": false, "maxBodyBytes": 4096}],
                       "forwardHeaders": ["X-Tenant", "traceparent"],
                       "forwardAuthorization": true})",
                   ""},
        PolicyCase{
            "part_timeout_zero",
            R"({"parts": [{"name": "o", "cluster": "orders", "path": "/", "timeout": "0s"}]})",
            "ag.parts[0].timeout: must be between 1ms and 60s"},
        PolicyCase{
            "part_timeout_too_long",
            R"({"parts": [{"name": "o", "cluster": "orders", "path": "/", "timeout": "2m"}]})",
            "ag.parts[0].timeout: must be between 1ms and 60s"},
        PolicyCase{
            "part_required_not_bool",
            R"({"parts": [{"name": "o", "cluster": "orders", "path": "/", "required": "yes"}]})",
            "ag.parts[0].required: expected boolean"},
        PolicyCase{
            "part_max_body_zero",
            R"({"parts": [{"name": "o", "cluster": "orders", "path": "/", "maxBodyBytes": 0}]})",
            "ag.parts[0].maxBodyBytes: must be between 1 and 8388608"},
        PolicyCase{"part_name_reserved",
                   R"({"parts": [{"name": "_errors", "cluster": "orders", "path": "/"}]})",
                   "ag.parts[0].name: \"_errors\" is reserved for the missing parts' problem "
                   "details"},
        PolicyCase{"forward_headers_authorization",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "/"}],
                       "forwardHeaders": ["x-a", "Authorization"]})",
                   "ag.forwardHeaders[1]: authorization is forwarded only by "
                   "forwardAuthorization: true"},
        PolicyCase{"on_partial_failure_unknown",
                   R"({"parts": [{"name": "o", "cluster": "orders", "path": "/"}],
                       "onPartialFailure": "Ignore"})",
                   "ag.onPartialFailure: must be one of Fail, Omit"}),
    testing::case_name);

// required refines onPartialFailure: unset, Fail makes a part required
// and Omit optional; set, it wins.
TEST(AggregateRequired, DefaultsFromOnPartialFailure) {
  Aggregate aggregate;
  aggregate.parts = {{"a", "orders", "/"}, {"b", "orders", "/"}, {"c", "orders", "/"}};
  aggregate.parts[1].required = true;
  aggregate.parts[2].required = false;
  EXPECT_TRUE(aggregate.is_required(aggregate.parts[0]));
  EXPECT_TRUE(aggregate.is_required(aggregate.parts[1]));
  EXPECT_FALSE(aggregate.is_required(aggregate.parts[2]));
  aggregate.on_partial_failure = PartialFailure::kOmit;
  EXPECT_FALSE(aggregate.is_required(aggregate.parts[0]));
  EXPECT_TRUE(aggregate.is_required(aggregate.parts[1]));
  EXPECT_FALSE(aggregate.is_required(aggregate.parts[2]));
}

TEST(AggregateDecode, OmittedNewFieldsTakeTheirDefaults) {
  Decoder decoder;
  Aggregate aggregate;
  decode(decoder, Json::parse(R"({"parts": [{"name": "o", "cluster": "orders", "path": "/"}]})"),
         "ag", aggregate);
  ASSERT_FALSE(decoder.failed()) << decoder.error().to_string();
  EXPECT_EQ(aggregate.parts[0].timeout, std::chrono::seconds(5));
  EXPECT_FALSE(aggregate.parts[0].required.has_value());
  EXPECT_EQ(aggregate.parts[0].max_body_bytes, 1048576u);
  EXPECT_EQ(aggregate.forward_headers, (std::vector<std::string>{"accept-language", "traceparent",
                                                                 "tracestate", "x-request-id"}));
  EXPECT_FALSE(aggregate.forward_authorization);
}

TEST(AggregateDecode, RoundTripsEveryField) {
  Aggregate aggregate;
  aggregate.parts = {
      {"order", "orders", "/orders/{id}", std::chrono::milliseconds(250), false, 4096},
      {"customer", "customers", "/c", std::chrono::seconds(1), std::nullopt, 10}};
  aggregate.forward_headers = {"x-tenant"};
  aggregate.forward_authorization = true;
  Decoder decoder;
  Aggregate back;
  decode(decoder, to_json(aggregate), "ag", back);
  ASSERT_FALSE(decoder.failed()) << decoder.error().to_string();
  EXPECT_EQ(back, aggregate);
  EXPECT_EQ(to_json(back), to_json(aggregate));
}

TEST(AggregateDecode, RoundTripsThroughCanonicalJson) {
  const Aggregate aggregate{{{"order", "orders", "/orders/{id}"}}, PartialFailure::kOmit};
  Decoder decoder;
  Aggregate back;
  decode(decoder, to_json(aggregate), "ag", back);
  ASSERT_FALSE(decoder.failed()) << decoder.error().to_string();
  EXPECT_EQ(back, aggregate);
  EXPECT_EQ(to_json(back), to_json(aggregate));
}

}  // namespace
}  // namespace archway::config
