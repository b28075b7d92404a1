// How part answers become the aggregate's response
// (filters/aggregate/composition.h): classification of each part's fetch,
// and the merged object, the problem details and the 502.

#include <gtest/gtest.h>

#include "proxy/filters/aggregate/composition.h"

namespace archway::filters::aggregate {
namespace {

using std::chrono::milliseconds;

Result<outbound::OutboundResponse> answer(int status, std::string body) {
  outbound::OutboundResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Result<outbound::OutboundResponse> failure(std::string message) {
  return Error{Error::Code::kUnavailable, "", std::move(message)};
}

struct ClassifyCase {
  const char* name;
  Result<outbound::OutboundResponse> response;
  milliseconds elapsed;
  PartOutcome want;
};

class ClassifyTest : public ::testing::TestWithParam<ClassifyCase> {};

TEST_P(ClassifyTest, NamesTheOutcome) {
  const ClassifyCase& c = GetParam();
  const PartResult r = classify(c.response, c.elapsed, milliseconds(100));
  EXPECT_EQ(outcome_name(r.outcome), outcome_name(c.want));
  EXPECT_EQ(r.elapsed, c.elapsed);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClassifyTest,
    ::testing::Values(
        ClassifyCase{"json_object", answer(200, R"({"id": 1})"), milliseconds(3), PartOutcome::kOk},
        ClassifyCase{"json_array_203", answer(203, "[1, 2]"), milliseconds(3), PartOutcome::kOk},
        ClassifyCase{"not_json", answer(200, "<html></html>"), milliseconds(3),
                     PartOutcome::kNotJson},
        ClassifyCase{"empty_body", answer(200, ""), milliseconds(3), PartOutcome::kNotJson},
        ClassifyCase{"two_values", answer(200, "{} {}"), milliseconds(3), PartOutcome::kNotJson},
        ClassifyCase{"server_error", answer(503, R"({"error": "x"})"), milliseconds(3),
                     PartOutcome::kBadStatus},
        ClassifyCase{"not_found", answer(404, "{}"), milliseconds(3), PartOutcome::kBadStatus},
        ClassifyCase{"redirect", answer(302, "{}"), milliseconds(3), PartOutcome::kBadStatus},
        ClassifyCase{"timed_out", failure("timed out after 100 ms"), milliseconds(100),
                     PartOutcome::kTimeout},
        ClassifyCase{"refused", failure("GET 127.0.0.1:1: connection or TLS handshake failed"),
                     milliseconds(1), PartOutcome::kUnreachable},
        ClassifyCase{"too_large_declared",
                     failure("response body of 2000000 bytes is over the limit"), milliseconds(2),
                     PartOutcome::kTooLarge},
        ClassifyCase{"too_large_counted", failure("response body over the limit of 10 bytes"),
                     milliseconds(2), PartOutcome::kTooLarge}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

config::Aggregate two_parts(config::PartialFailure on_failure) {
  config::Aggregate a;
  a.parts = {{"order", "orders", "/o"}, {"customer", "customers", "/c"}};
  a.on_partial_failure = on_failure;
  return a;
}

PartResult ok(const char* json) {
  return classify(answer(200, json), milliseconds(1), milliseconds(100));
}

const http::Header* header(const LocalReply& reply, std::string_view name) {
  return http::find_header(reply.headers, name);
}

TEST(Compose, MergesEveryPartUnderItsName) {
  const LocalReply reply =
      compose(two_parts(config::PartialFailure::kFail), {ok(R"({"id": 7})"), ok(R"("c")")});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(nlohmann::json::parse(reply.body),
            nlohmann::json::parse(R"({"order": {"id": 7}, "customer": "c"})"));
  ASSERT_NE(header(reply, "content-type"), nullptr);
  EXPECT_EQ(header(reply, "content-type")->value, "application/json");
  EXPECT_EQ(header(reply, "archway-aggregate-missing"), nullptr);
  EXPECT_EQ(header(reply, "cache-control"), nullptr);
}

TEST(Compose, FailedRequiredPartIs502NamingIt) {
  const LocalReply reply =
      compose(two_parts(config::PartialFailure::kFail),
              {ok("{}"), classify(answer(500, "{}"), milliseconds(1), milliseconds(100))});
  EXPECT_EQ(reply.status, 502);
  const auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["status"], 502);
  EXPECT_EQ(body["part"], "customer");
  EXPECT_EQ(body["error"], "aggregate part \"customer\" failed: answered 500");
}

TEST(Compose, OptionalPartIsOmittedWithProblemDetailsAndHeader) {
  config::Aggregate a = two_parts(config::PartialFailure::kFail);
  a.parts[1].required = false;  // refines onPartialFailure: Fail
  const LocalReply reply = compose(
      a,
      {ok(R"({"id": 7})"), classify(failure("timed out"), milliseconds(100), milliseconds(100))});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(nlohmann::json::parse(reply.body), nlohmann::json::parse(R"({
    "order": {"id": 7},
    "_errors": {"customer": {"type": "urn:archway:aggregate:part-timeout",
                             "title": "Part timed out", "status": 504,
                             "detail": "no answer within 100 ms"}}})"));
  ASSERT_NE(header(reply, "archway-aggregate-missing"), nullptr);
  EXPECT_EQ(header(reply, "archway-aggregate-missing")->value, "customer");
  ASSERT_NE(header(reply, "cache-control"), nullptr);
  EXPECT_EQ(header(reply, "cache-control")->value, "no-store");
}

TEST(Compose, OmitMakesPartsOptionalUnlessRequired) {
  config::Aggregate a = two_parts(config::PartialFailure::kOmit);
  const std::vector<PartResult> both_failed = {no_endpoint("orders"),
                                               ok("nope")};  // "nope" is not JSON
  const LocalReply omitted = compose(a, both_failed);
  EXPECT_EQ(omitted.status, 200);
  const auto body = nlohmann::json::parse(omitted.body);
  EXPECT_EQ(body["_errors"]["order"]["status"], 503);
  EXPECT_EQ(body["_errors"]["customer"]["type"], "urn:archway:aggregate:part-not-json");
  EXPECT_EQ(header(omitted, "archway-aggregate-missing")->value, "order, customer");

  a.parts[0].required = true;
  EXPECT_EQ(compose(a, both_failed).status, 502);
}

TEST(PartsLog, OutcomeStatusAndTimePerPartInOrder) {
  PartResult slow = classify(failure("timed out"), milliseconds(200), milliseconds(200));
  PartResult good = classify(answer(200, "{}"), milliseconds(3), milliseconds(200));
  EXPECT_EQ(parts_log(two_parts(config::PartialFailure::kOmit), {good, slow}),
            R"({"order":{"outcome":"ok","status":200,"ms":3},)"
            R"("customer":{"outcome":"timeout","status":null,"ms":200}})");
}

}  // namespace
}  // namespace archway::filters::aggregate
