// The versioning filter against a fake exchange: unknown and missing
// versions (406 from Accept, 400 otherwise, with the supported list), the
// deprecation fields on every response of a version (local answers of later
// filters included), brownout windows on an injected clock, PathSegment
// strip, and the per-version counter.

#include "proxy/filters/versioning/versioning.h"

#include <gtest/gtest.h>

#include "common/rfc3339.h"
#include "filter_test_util.h"
#include "proxy/config/policies/codec.h"
#include "proxy/filters/registry.h"

// Versions name only the fields a case sets; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace archway::filters {
namespace {

using routing::VersionResolution;
using testing::field;
using testing::run_chain;
using Outcome = VersionResolution::Outcome;

config::Route versioned_route(const char* extra = "") {
  config::Route route;
  route.name = "shop/orders/read";
  route.route_name = "shop/orders";
  route.rule_name = "read";
  route.backends = {{"c", 1}};
  auto parsed = config::parse_policy<config::Versioning>(config::Json::parse(std::string(R"({
        "sources": [{"type": "PathSegment", "strip": true}, {"type": "Accept"}],
        "default": "2",
        "versions": [{"name": "1", "deprecation": "2026-01-01T00:00:00Z",
                      "sunset": "2026-12-31T00:00:00Z", "link": "https://example.com/v1"
                      )") + extra + R"(},
                     {"name": "2"}]})"),
                                                         "v");
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  route.policies.versioning = *parsed;
  return route;
}

routing::RouteMatch matched(Outcome outcome, std::string version,
                            config::VersionSourceType source = config::VersionSourceType::kHeader,
                            uint32_t segment = 0) {
  routing::RouteMatch m;
  m.version = VersionResolution{outcome, std::move(version), source, segment};
  return m;
}

CompiledChain chain_of(const config::Route& route, VersionClock clock = {}) {
  CompiledChain chain;
  chain.filters.push_back(make_versioning_filter(route, std::move(clock)));
  return chain;
}

std::chrono::sys_seconds at(const char* text) { return *parse_rfc3339(text); }

TEST(VersioningFilterTest, UnknownFromAcceptIs406WithTheSupportedList) {
  const config::Route route = versioned_route();
  auto run = run_chain(chain_of(route), route, {}, "/orders", "", {},
                       matched(Outcome::kUnknown, "9", config::VersionSourceType::kAccept));
  ASSERT_TRUE(run.reply);
  EXPECT_EQ(run.reply->status, 406);
  EXPECT_EQ(run.reply->body,
            R"({"error":"unsupported API version \"9\"","status":406,"supported":["1","2"]})");
  EXPECT_EQ(field(run.reply->headers, "content-type"), "application/json");
  EXPECT_FALSE(field(run.response.headers, "deprecation"));
}

TEST(VersioningFilterTest, UnknownElsewhereAndMissingAre400) {
  const config::Route route = versioned_route();
  auto run = run_chain(chain_of(route), route, {}, "/v9/orders", "", {},
                       matched(Outcome::kUnknown, "9", config::VersionSourceType::kPathSegment));
  ASSERT_TRUE(run.reply);
  EXPECT_EQ(run.reply->status, 400);
  run = run_chain(chain_of(route), route, {}, "/orders", "", {}, matched(Outcome::kMissing, ""));
  ASSERT_TRUE(run.reply);
  EXPECT_EQ(run.reply->status, 400);
  EXPECT_EQ(run.reply->body,
            R"({"error":"missing API version","status":400,"supported":["1","2"]})");
}

TEST(VersioningFilterTest, DeprecatedVersionResponsesCarryTheFields) {
  const config::Route route = versioned_route();
  http::Response backend;
  backend.status = 200;
  auto run = run_chain(chain_of(route), route, {}, "/orders", "", backend,
                       matched(Outcome::kResolved, "1"));
  EXPECT_TRUE(run.continued);
  EXPECT_EQ(field(run.response.headers, "deprecation"), "@1767225600");
  EXPECT_EQ(field(run.response.headers, "sunset"), "Thu, 31 Dec 2026 00:00:00 GMT");
  EXPECT_EQ(
      field(run.response.headers, "link"),
      R"(<https://example.com/v1>; rel="deprecation", <https://example.com/v1>; rel="sunset")");
  // Version 2 is not deprecated: nothing added.
  run = run_chain(chain_of(route), route, {}, "/orders", "", backend,
                  matched(Outcome::kDefault, "2"));
  EXPECT_TRUE(run.continued);
  EXPECT_FALSE(field(run.response.headers, "deprecation"));
  EXPECT_FALSE(field(run.response.headers, "link"));
}

TEST(VersioningFilterTest, LaterFiltersLocalAnswersCarryTheFieldsToo) {
  config::Route route = versioned_route();
  route.backends.clear();
  route.direct_response = config::DirectResponse{.status = 200, .body = "hi"};
  const CompiledChain chain = compile_chain(route);  // versioning, then directResponse
  auto run = run_chain(chain, route, {}, "/orders", "", {}, matched(Outcome::kResolved, "1"));
  ASSERT_TRUE(run.reply);
  EXPECT_EQ(run.reply->status, 200);
  EXPECT_EQ(field(run.response.headers, "deprecation"), "@1767225600");
}

TEST(VersioningFilterTest, BrownoutAnswers410OnlyInsideTheWindow) {
  const config::Route route = versioned_route(
      R"(, "brownouts": [{"start": "2026-06-01T10:00:00Z", "end": "2026-06-01T11:00:00Z"}])");
  std::chrono::sys_seconds now = at("2026-06-01T09:59:59Z");
  const CompiledChain chain = chain_of(route, [&] { return now; });
  auto run = run_chain(chain, route, {}, "/orders", "", {}, matched(Outcome::kResolved, "1"));
  EXPECT_TRUE(run.continued);

  now = at("2026-06-01T10:00:00Z");
  run = run_chain(chain, route, {}, "/orders", "", {}, matched(Outcome::kResolved, "1"));
  ASSERT_TRUE(run.reply);
  EXPECT_EQ(run.reply->status, 410);
  EXPECT_EQ(run.reply->body,
            R"({"error":"API version \"1\" is unavailable during a brownout","status":410,)"
            R"("supported":["1","2"]})");
  EXPECT_EQ(field(run.response.headers, "deprecation"), "@1767225600");
  EXPECT_EQ(field(run.response.headers, "sunset"), "Thu, 31 Dec 2026 00:00:00 GMT");

  // Another version is never browned out with it.
  run = run_chain(chain, route, {}, "/orders", "", {}, matched(Outcome::kResolved, "2"));
  EXPECT_TRUE(run.continued);

  now = at("2026-06-01T11:00:00Z");
  run = run_chain(chain, route, {}, "/orders", "", {}, matched(Outcome::kResolved, "1"));
  EXPECT_TRUE(run.continued);
}

TEST(VersioningFilterTest, StripsThePathSegmentUnlessTheRuleRewrites) {
  config::Route route = versioned_route();
  auto run =
      run_chain(chain_of(route), route, {}, "/v2/orders/7", "", {},
                matched(Outcome::kResolved, "2", config::VersionSourceType::kPathSegment, 3));
  EXPECT_TRUE(run.continued);
  EXPECT_EQ(run.path, "/orders/7");
  run = run_chain(chain_of(route), route, {}, "/v2", "", {},
                  matched(Outcome::kResolved, "2", config::VersionSourceType::kPathSegment, 3));
  EXPECT_EQ(run.path, "/");
  route.rewrite.full_path = "/x";
  run = run_chain(chain_of(route), route, {}, "/v2/orders", "", {},
                  matched(Outcome::kResolved, "2", config::VersionSourceType::kPathSegment, 3));
  EXPECT_EQ(run.path, "/v2/orders");
}

TEST(VersioningFilterTest, CountsRequestsPerVersion) {
  const config::Route route = versioned_route();
  const routing::CompiledRoute compiled{.route = route};
  routing::RouteMatch m = matched(Outcome::kResolved, "1");
  m.route = &compiled;
  http::Request request;
  std::string path = "/orders";
  std::string authority;
  metrics::WorkerStats stats;
  FilterContext ctx(request, m, path, "", authority, stats);
  testing::FakeExchange exchange;
  const CompiledChain chain = chain_of(route);
  for (int i = 0; i < 3; ++i) {
    FilterChain runner(exchange);
    runner.start(chain, ctx);
  }
  const auto snapshot = stats.snapshot();
  ASSERT_EQ(snapshot.version_requests.size(), 1u);
  EXPECT_EQ(snapshot.version_requests.begin()->first,
            std::make_tuple(std::string("shop/orders"), std::string("read"), std::string("1")));
  EXPECT_EQ(snapshot.version_requests.begin()->second, 3u);
}

}  // namespace
}  // namespace archway::filters
