// The body_map filter through a compiled chain: which bodies it asks to
// buffer (JSON media types, no content coding, 2xx responses), what it
// answers for a body it cannot map (onMismatch), and that a route without
// body mapping has no body transform at all (docs/transform.md).

#include <gtest/gtest.h>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/registry.h"
#include "tests/proxy/filter_test_util.h"

namespace archway::filters {
namespace {

using Kind = BodyPlan::Kind;

config::BodyMapping mapping(const char* json) {
  auto parsed = config::parse_policy<config::BodyMapping>(config::Json::parse(json), "p");
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return *parsed;
}

config::Route route_with(std::optional<config::BodyMapping> request,
                         std::optional<config::BodyMapping> response) {
  config::Route route;
  route.backends = {config::WeightedBackend{.cluster = "c", .weight = 1}};
  route.policies.request_body = std::move(request);
  route.policies.response_body = std::move(response);
  return route;
}

// One exchange's chain, started, for the body hooks.
struct Running {
  explicit Running(const config::Route& r, http::Request req = {})
      : route(r),
        chain(compile_chain(route)),
        compiled{.route = route,
                 .virtual_host_index = 0,
                 .index = 0,
                 .cumulative_weights = {},
                 .total_weight = 0},
        request(std::move(req)) {
    match.route = &compiled;
    ctx.emplace(request, match, path, std::string_view{}, authority, stats);
    runner.start(chain, *ctx);
  }
  config::Route route;
  CompiledChain chain;
  routing::CompiledRoute compiled;
  routing::RouteMatch match;
  http::Request request;
  std::string path = "/";
  std::string authority;
  metrics::WorkerStats stats;
  testing::FakeExchange owner;
  std::optional<FilterContext> ctx;
  FilterChain runner{owner};
};

http::Request post(std::string content_type, http::Headers more = {}) {
  http::Request request;
  request.method = "POST";
  request.has_body = true;
  if (!content_type.empty()) request.headers.push_back({"content-type", std::move(content_type)});
  for (auto& h : more) request.headers.push_back(std::move(h));
  return request;
}

http::Response json_response(int status, std::string content_type = "application/json") {
  http::Response response;
  response.status = status;
  response.headers = {{"content-type", std::move(content_type)}, {"etag", "\"v1\""}};
  return response;
}

constexpr const char* kWrapPass =
    R"({"operations": [{"op": "Wrap", "key": "data"}], "maxBytes": 100})";
constexpr const char* kWrapReject =
    R"({"operations": [{"op": "Move", "from": "/a", "path": "/b"}], "onMismatch": "Reject"})";

TEST(BodyMapFilter, ARouteWithoutBodyMappingHasNoBodyTransform) {
  config::Route route = route_with(std::nullopt, std::nullopt);
  route.response_headers.set = {{"x-a", "1"}};
  Running run(route, post("application/json"));
  EXPECT_TRUE(run.owner.run.continued);
  EXPECT_FALSE(run.runner.has_body_transform());
  EXPECT_EQ(run.runner.plan_request_body().kind, Kind::kStream);
}

TEST(BodyMapFilter, AJsonRequestIsBufferedUpToItsLimit) {
  for (const char* type :
       {"application/json", "Application/JSON; charset=utf-8", "application/problem+json"}) {
    Running run(route_with(mapping(kWrapPass), std::nullopt), post(type));
    ASSERT_TRUE(run.runner.has_body_transform());
    const BodyPlan plan = run.runner.plan_request_body();
    EXPECT_EQ(plan.kind, Kind::kBuffer) << type;
    EXPECT_EQ(plan.max_bytes, 100u);
    EXPECT_FALSE(plan.reject_over_limit);
  }
}

TEST(BodyMapFilter, ARequestThatIsNotJsonStreamsOnPassAndIsRefusedOnReject) {
  const http::Request not_json[] = {post("text/plain"), post(""), post("application/jsonx"),
                                    post("application/json", {{"content-encoding", "gzip"}})};
  for (const auto& request : not_json) {
    Running pass(route_with(mapping(kWrapPass), std::nullopt), request);
    EXPECT_EQ(pass.runner.plan_request_body().kind, Kind::kStream);
    Running reject(route_with(mapping(kWrapReject), std::nullopt), request);
    const BodyPlan plan = reject.runner.plan_request_body();
    EXPECT_EQ(plan.kind, Kind::kReject);
    EXPECT_EQ(plan.status, 415);
  }
  Running identity(route_with(mapping(kWrapReject), std::nullopt),
                   post("application/json", {{"content-encoding", "identity"}}));
  EXPECT_EQ(identity.runner.plan_request_body().kind, Kind::kBuffer);
}

TEST(BodyMapFilter, TheRequestBodyIsReplacedOrLeftWhole) {
  Running run(route_with(mapping(kWrapPass), std::nullopt), post("application/json"));
  std::string body = R"({"a":1})";
  LocalReply reply;
  EXPECT_EQ(run.runner.on_request_body(body, reply), BodyVerdict::kReplaced);
  EXPECT_EQ(body, R"({"data":{"a":1}})");
  std::string broken = "{nope";
  EXPECT_EQ(run.runner.on_request_body(broken, reply), BodyVerdict::kPass);
  EXPECT_EQ(broken, "{nope");
}

TEST(BodyMapFilter, RejectAnswers415ForNotJsonAnd422ForAShapeMismatch) {
  Running run(route_with(mapping(kWrapReject), std::nullopt), post("application/json"));
  std::string body = "[";
  LocalReply reply;
  EXPECT_EQ(run.runner.on_request_body(body, reply), BodyVerdict::kReject);
  EXPECT_EQ(reply.status, 415);
  body = R"({"x":1})";  // no /a to move
  EXPECT_EQ(run.runner.on_request_body(body, reply), BodyVerdict::kReject);
  EXPECT_EQ(reply.status, 422);
  EXPECT_EQ(body, R"({"x":1})");
}

TEST(BodyMapFilter, OnlyJsonTwoHundredsAreBufferedOnTheResponse) {
  Running run(route_with(std::nullopt, mapping(kWrapPass)), post("text/plain"));
  // No requestBody: the request streams even though the route maps responses.
  EXPECT_EQ(run.runner.plan_request_body().kind, Kind::kStream);
  EXPECT_EQ(run.runner.plan_response_body(json_response(200)).kind, Kind::kBuffer);
  EXPECT_EQ(run.runner.plan_response_body(json_response(201, "application/hal+json")).kind,
            Kind::kBuffer);
  for (const int status : {204, 206, 301, 404, 500}) {
    EXPECT_EQ(run.runner.plan_response_body(json_response(status)).kind, Kind::kStream) << status;
  }
  EXPECT_EQ(run.runner.plan_response_body(json_response(200, "text/html")).kind, Kind::kStream);
  Running reject(route_with(std::nullopt, mapping(kWrapReject)), post("text/plain"));
  EXPECT_EQ(reject.runner.plan_response_body(json_response(200, "text/html")).kind, Kind::kReject);
  EXPECT_EQ(reject.runner.plan_response_body(json_response(404, "text/html")).kind, Kind::kStream);
}

TEST(BodyMapFilter, AHeadRequestsResponseIsNeverBuffered) {
  http::Request head;
  head.method = "HEAD";
  Running run(route_with(std::nullopt, mapping(kWrapPass)), head);
  EXPECT_EQ(run.runner.plan_response_body(json_response(200)).kind, Kind::kStream);
}

TEST(BodyMapFilter, AMappedResponseLosesTheBackendsEtag) {
  Running run(route_with(std::nullopt, mapping(kWrapPass)), post("text/plain"));
  http::Response head = json_response(200);
  std::string body = "[1]";
  EXPECT_EQ(run.runner.on_response_body(head, body), BodyVerdict::kReplaced);
  EXPECT_EQ(body, R"({"data":[1]})");
  EXPECT_EQ(testing::field(head.headers, "etag"), std::nullopt);
  http::Response kept = json_response(200);
  std::string broken = "nope";
  EXPECT_EQ(run.runner.on_response_body(kept, broken), BodyVerdict::kPass);
  EXPECT_EQ(testing::field(kept.headers, "etag"), "\"v1\"");
}

}  // namespace
}  // namespace archway::filters
