// cors in the snapshot: the CRD's schema and CEL rule, and the spellings
// cors.h promises the CORS filter (lower-case origins and header names).

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class CorsDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(CorsDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Cors>(GetParam().json, "routes[1].policies.cors"),
            GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CorsDecodeTest,
    ::testing::Values(
        PolicyCase{"minimal", R"({"allowOrigins": ["https://app.example.com"]})", ""},
        PolicyCase{"full",
                   R"({"allowOrigins": ["https://*.example.com:8443", "http://localhost:3000"],
                       "allowMethods": ["GET", "PUT"], "allowHeaders": ["X-Token"],
                       "exposeHeaders": ["X-Trace"], "allowCredentials": true,
                       "maxAge": "1m30s"})",
                   ""},
        PolicyCase{"star_everything",
                   R"({"allowOrigins": ["*"], "allowMethods": ["*"], "allowHeaders": ["*"]})", ""},
        PolicyCase{"not_object", R"([])", "routes[1].policies.cors: expected object"},
        PolicyCase{"unknown_field", R"({"allowOrigins": ["*"], "allowOrigin": ["*"]})",
                   "routes[1].policies.cors.allowOrigin: unknown field"},
        PolicyCase{"origins_required", R"({})",
                   "routes[1].policies.cors.allowOrigins: is required"},
        PolicyCase{"origins_empty", R"({"allowOrigins": []})",
                   "routes[1].policies.cors.allowOrigins: must have at least 1 entry"},
        PolicyCase{"origins_wrong_type", R"({"allowOrigins": "*"})",
                   "routes[1].policies.cors.allowOrigins: expected array"},
        PolicyCase{"origin_wrong_type", R"({"allowOrigins": ["*", 3]})",
                   "routes[1].policies.cors.allowOrigins[1]: expected string"},
        PolicyCase{"origin_bad_scheme", R"({"allowOrigins": ["https://a.com", "ftp://a.com"]})",
                   "routes[1].policies.cors.allowOrigins[1]: must be \"*\" or "
                   "scheme://host[:port] with scheme http or https"},
        PolicyCase{"origin_with_path", R"({"allowOrigins": ["https://a.com", "https://b.com/x"]})",
                   "routes[1].policies.cors.allowOrigins[1]: host must be letters, digits, '.' "
                   "and '-' (optionally after \"*.\"), in lower case"},
        PolicyCase{"origin_bad_port", R"({"allowOrigins": ["https://a.com:70000"]})",
                   "routes[1].policies.cors.allowOrigins[0]: port must be between 1 and 65535"},
        PolicyCase{"origin_duplicate_after_lowering",
                   R"({"allowOrigins": ["https://a.com", "HTTPS://A.com"]})",
                   "routes[1].policies.cors.allowOrigins[1]: duplicate value \"https://a.com\""},
        PolicyCase{"origin_star_not_alone", R"({"allowOrigins": ["https://a.com", "*"]})",
                   "routes[1].policies.cors.allowOrigins: \"*\" must be the only entry"},
        PolicyCase{"method_lower_case", R"({"allowOrigins": ["*"], "allowMethods": ["get"]})",
                   "routes[1].policies.cors.allowMethods[0]: must be one of GET, HEAD, POST, "
                   "PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, *"},
        PolicyCase{"method_star_not_alone",
                   R"({"allowOrigins": ["*"], "allowMethods": ["GET", "*"]})",
                   "routes[1].policies.cors.allowMethods: \"*\" must be the only entry"},
        PolicyCase{"method_duplicate", R"({"allowOrigins": ["*"], "allowMethods": ["GET", "GET"]})",
                   "routes[1].policies.cors.allowMethods[1]: duplicate value \"GET\""},
        PolicyCase{"header_not_token",
                   R"({"allowOrigins": ["*"], "allowHeaders": ["x-a", "bad header"]})",
                   "routes[1].policies.cors.allowHeaders[1]: invalid header name \"bad header\""},
        PolicyCase{"header_star_not_alone",
                   R"({"allowOrigins": ["*"], "allowHeaders": ["*", "x-a"]})",
                   "routes[1].policies.cors.allowHeaders: \"*\" must be the only entry"},
        PolicyCase{"expose_duplicate_after_lowering",
                   R"({"allowOrigins": ["*"], "exposeHeaders": ["X-A", "x-a"]})",
                   "routes[1].policies.cors.exposeHeaders[1]: duplicate value \"x-a\""},
        PolicyCase{"credentials_wrong_type",
                   R"({"allowOrigins": ["*"], "allowCredentials": "yes"})",
                   "routes[1].policies.cors.allowCredentials: expected boolean"},
        PolicyCase{"credentials_with_star", R"({"allowOrigins": ["*"], "allowCredentials": true})",
                   "routes[1].policies.cors.allowCredentials: allowCredentials cannot be used "
                   "with the '*' origin"},
        PolicyCase{"max_age_not_duration", R"({"allowOrigins": ["*"], "maxAge": 600})",
                   "routes[1].policies.cors.maxAge: expected duration string"},
        PolicyCase{"max_age_bad_duration", R"({"allowOrigins": ["*"], "maxAge": "10 minutes"})",
                   "routes[1].policies.cors.maxAge: invalid duration \"10 minutes\": unit must "
                   "be one of ms, s, m, h"}),
    testing::case_name);

TEST(CorsDecode, LowerCasesOriginsAndHeaderNamesAsCorsHPromises) {
  auto cors = parse_policy<Cors>(
      Json::parse(R"({"allowOrigins": ["HTTPS://App.Example.COM"], "allowHeaders": ["X-Token"],
                      "exposeHeaders": ["X-Trace-Id"], "maxAge": "600s"})"),
      "cors");
  ASSERT_TRUE(cors.ok()) << cors.error().to_string();
  EXPECT_EQ(cors->allow_origins, std::vector<std::string>{"https://app.example.com"});
  EXPECT_EQ(cors->allow_headers, std::vector<std::string>{"x-token"});
  EXPECT_EQ(cors->expose_headers, std::vector<std::string>{"x-trace-id"});
  EXPECT_EQ(cors->max_age, std::chrono::milliseconds(600000));
  EXPECT_FALSE(cors->allow_credentials);
}

TEST(CorsDecode, ValidatorRefusesUpperCaseHeaderBuiltInCode) {
  Cors cors;
  cors.allow_origins = {"*"};
  cors.allow_headers = {"X-Token"};
  auto r = validate(cors, "cors");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), "cors.allowHeaders[0]: must be lower case");
}

TEST(CorsDecode, RoundTripsThroughCanonicalJson) {
  Cors cors;
  cors.allow_origins = {"https://*.example.com:8443", "http://localhost"};
  cors.allow_methods = {"GET", "POST"};
  cors.allow_headers = {"x-token"};
  cors.expose_headers = {"x-trace"};
  cors.allow_credentials = true;
  cors.max_age = std::chrono::milliseconds(90000);
  testing::expect_round_trip(cors);
  testing::expect_round_trip(Cors{{"*"}, {}, {}, {}, false, std::nullopt});
}

}  // namespace
}  // namespace archway::config
