// The CORS filter against a fake exchange, table-driven: preflights
// (allowed / denied by origin, method, header; wildcard subdomains;
// credentials; "*"), actual requests (allowed, denied, no Origin), Vary
// merging, and an OPTIONS request that is not a preflight.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "filter_test_util.h"
#include "proxy/filters/registry.h"

namespace archway::filters {
namespace {

using std::chrono::milliseconds;
using testing::field;
using testing::run_chain;

config::Cors app_policy() {
  return config::Cors{.allow_origins = {"https://app.example.com", "https://*.example.org",
                                        "http://localhost:8080"},
                      .allow_methods = {"GET", "PUT"},
                      .allow_headers = {"x-token", "content-type"},
                      .expose_headers = {"x-request-id", "etag"},
                      .allow_credentials = false,
                      .max_age = milliseconds(600000)};
}

config::Cors credentials_policy() {
  return config::Cors{.allow_origins = {"https://app.example.com"},
                      .allow_methods = {"*"},
                      .allow_headers = {"*"},
                      .expose_headers = {},
                      .allow_credentials = true,
                      .max_age = std::nullopt};
}

config::Cors any_origin_policy() {
  return config::Cors{.allow_origins = {"*"},
                      .allow_methods = {},
                      .allow_headers = {"*"},
                      .expose_headers = {},
                      .allow_credentials = false,
                      .max_age = std::nullopt};
}

using Expect = std::optional<std::string>;  // nullopt: the field must be absent

struct Case {
  std::string name;
  config::Cors policy;
  std::string method;
  http::Headers request;
  http::Headers backend;  // the backend's response fields, when the request continues
  int status;             // 0: continued to the backend
  Expect allow_origin;
  Expect allow_methods;
  Expect allow_headers;
  Expect allow_credentials;
  Expect expose_headers;
  Expect max_age;
  Expect vary;
  uint64_t denied;
};

constexpr auto kPreflightVary =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
const auto kNone = std::nullopt;

std::vector<Case> cases() {
  const std::string app = "https://app.example.com";
  return {
      {"PreflightAllowed",
       app_policy(),
       "OPTIONS",
       {{"origin", app},
        {"access-control-request-method", "PUT"},
        {"access-control-request-headers", "x-token,content-type"}},
       {},
       204,
       app,
       "GET, PUT",
       "x-token,content-type",
       kNone,
       kNone,
       "600",
       kPreflightVary,
       0},
      {"PreflightOriginCaseInsensitive",
       app_policy(),
       "OPTIONS",
       {{"origin", "HTTPS://App.Example.com"}, {"access-control-request-method", "GET"}},
       {},
       204,
       "HTTPS://App.Example.com",
       "GET, PUT",
       kNone,
       kNone,
       kNone,
       "600",
       kPreflightVary,
       0},
      {"PreflightDeniedOrigin",
       app_policy(),
       "OPTIONS",
       {{"origin", "https://evil.example.com"}, {"access-control-request-method", "GET"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       1},
      {"PreflightDeniedMethod",
       app_policy(),
       "OPTIONS",
       {{"origin", app}, {"access-control-request-method", "DELETE"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"PreflightDeniedHeader",
       app_policy(),
       "OPTIONS",
       {{"origin", app},
        {"access-control-request-method", "GET"},
        {"access-control-request-headers", "x-token, x-other"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"PreflightPortIsSignificant",
       app_policy(),
       "OPTIONS",
       {{"origin", "http://localhost:9090"}, {"access-control-request-method", "GET"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       1},
      {"WildcardSubdomainOneLabel",
       app_policy(),
       "OPTIONS",
       {{"origin", "https://a.example.org"}, {"access-control-request-method", "GET"}},
       {},
       204,
       "https://a.example.org",
       "GET, PUT",
       kNone,
       kNone,
       kNone,
       "600",
       kPreflightVary,
       0},
      {"WildcardSubdomainSeveralLabels",
       app_policy(),
       "GET",
       {{"origin", "https://a.b.example.org"}},
       {},
       0,
       "https://a.b.example.org",
       kNone,
       kNone,
       kNone,
       "x-request-id, etag",
       kNone,
       "Origin",
       0},
      {"WildcardDoesNotMatchTheApex",
       app_policy(),
       "GET",
       {{"origin", "https://example.org"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"WildcardDoesNotMatchAnotherScheme",
       app_policy(),
       "GET",
       {{"origin", "http://a.example.org"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"WildcardDoesNotMatchAnotherPort",
       app_policy(),
       "GET",
       {{"origin", "https://a.example.org:8443"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"WildcardDoesNotMatchAHostThatOnlyEndsLikeIt",
       app_policy(),
       "GET",
       {{"origin", "https://evilexample.org"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"CredentialsEchoTheRequestedMethodAndHeaders",
       credentials_policy(),
       "OPTIONS",
       {{"origin", app},
        {"access-control-request-method", "PATCH"},
        {"access-control-request-headers", "x-a, x-b"}},
       {},
       204,
       app,
       "PATCH",
       "x-a, x-b",
       "true",
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"CredentialsOnTheActualResponse",
       credentials_policy(),
       "GET",
       {{"origin", app}},
       {},
       0,
       app,
       kNone,
       kNone,
       "true",
       kNone,
       kNone,
       "Origin",
       0},
      {"AnyOriginWithoutCredentialsIsAStar",
       any_origin_policy(),
       "OPTIONS",
       {{"origin", "https://x.test"},
        {"access-control-request-method", "POST"},
        {"access-control-request-headers", "x-a"}},
       {},
       204,
       "*",
       kNone,
       "*",
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"StarHeadersDoNotCoverAuthorization",
       any_origin_policy(),
       "OPTIONS",
       {{"origin", "https://x.test"},
        {"access-control-request-method", "GET"},
        {"access-control-request-headers", "authorization"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"EmptyMethodsAllowOnlySafelisted",
       any_origin_policy(),
       "OPTIONS",
       {{"origin", "https://x.test"}, {"access-control-request-method", "DELETE"}},
       {},
       403,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kPreflightVary,
       0},
      {"NullOriginIsNeverAllowed",
       any_origin_policy(),
       "GET",
       {{"origin", "null"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"ActualAllowedMergesVary",
       app_policy(),
       "GET",
       {{"origin", app}},
       {{"vary", "Accept-Encoding"}, {"access-control-allow-origin", "https://stale.test"}},
       0,
       app,
       kNone,
       kNone,
       kNone,
       "x-request-id, etag",
       kNone,
       "Accept-Encoding, Origin",
       0},
      {"VaryAlreadyNamingOriginIsKept",
       app_policy(),
       "GET",
       {{"origin", app}},
       {{"vary", "origin, accept"}},
       0,
       app,
       kNone,
       kNone,
       kNone,
       "x-request-id, etag",
       kNone,
       "origin, accept",
       0},
      {"VaryStarIsKept",
       app_policy(),
       "GET",
       {},
       {{"vary", "*"}},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "*",
       0},
      {"ActualDeniedGetsNoCorsFields",
       app_policy(),
       "POST",
       {{"origin", "https://evil.test"}},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       1},
      {"NoOriginOnlyVaries",
       app_policy(),
       "GET",
       {},
       {},
       0,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       kNone,
       "Origin",
       0},
      {"OptionsWithoutRequestMethodIsNotAPreflight",
       app_policy(),
       "OPTIONS",
       {{"origin", app}},
       {},
       0,
       app,
       kNone,
       kNone,
       kNone,
       "x-request-id, etag",
       kNone,
       "Origin",
       0},
  };
}

class CorsFilterTest : public ::testing::TestWithParam<Case> {};

TEST_P(CorsFilterTest, AnswersOrDecoratesAsTheFetchStandardReads) {
  const Case& c = GetParam();
  const config::Route route;
  const CompiledChain chain = compile_chain(route, &c.policy);
  http::Request request;
  request.method = c.method;
  request.headers = c.request;
  http::Response backend;
  backend.headers = c.backend;
  const auto run = run_chain(chain, route, request, "/", "", backend);
  if (c.status == 0) {
    EXPECT_TRUE(run.continued);
    EXPECT_FALSE(run.reply.has_value());
  } else {
    ASSERT_TRUE(run.reply.has_value());
    EXPECT_EQ(run.reply->status, c.status);
    if (c.status == 403) {
      EXPECT_EQ(field(run.response.headers, "content-type"), "application/json");
      EXPECT_NE(run.reply->body.find("\"status\":403"), std::string::npos);
    }
  }
  const auto& h = run.response.headers;
  EXPECT_EQ(field(h, "access-control-allow-origin"), c.allow_origin);
  EXPECT_EQ(field(h, "access-control-allow-methods"), c.allow_methods);
  EXPECT_EQ(field(h, "access-control-allow-headers"), c.allow_headers);
  EXPECT_EQ(field(h, "access-control-allow-credentials"), c.allow_credentials);
  EXPECT_EQ(field(h, "access-control-expose-headers"), c.expose_headers);
  EXPECT_EQ(field(h, "access-control-max-age"), c.max_age);
  EXPECT_EQ(field(h, "vary"), c.vary);
  EXPECT_EQ(run.cors_denied, c.denied);
}

INSTANTIATE_TEST_SUITE_P(Cases, CorsFilterTest, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(CorsFilter, ALaterFiltersLocalAnswerGetsTheCorsFields) {
  // A 401 or 429 from a later filter must be readable by the page: here the
  // route's own direct response stands for it.
  config::Route route;
  route.direct_response =
      config::DirectResponse{.status = 401, .body = "", .content_type = "text/plain"};
  const config::Cors policy = app_policy();
  const CompiledChain chain = compile_chain(route, &policy);
  http::Request request;
  request.method = "GET";
  request.headers = {{"origin", "https://app.example.com"}};
  const auto run = run_chain(chain, route, request);
  ASSERT_TRUE(run.reply.has_value());
  EXPECT_EQ(run.reply->status, 401);
  EXPECT_EQ(field(run.response.headers, "access-control-allow-origin"), "https://app.example.com");
  EXPECT_EQ(field(run.response.headers, "vary"), "Origin");
}

}  // namespace
}  // namespace archway::filters
