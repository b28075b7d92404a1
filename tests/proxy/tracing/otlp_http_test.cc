#include "proxy/tracing/otlp_http.h"

#include <gtest/gtest.h>

namespace archway::tracing {
namespace {

TEST(OtlpEndpoint, ParseTable) {
  struct Case {
    const char* url;
    bool ok;
    const char* host;
    uint16_t port;
    const char* target;
  };
  const Case cases[] = {
      {"http://127.0.0.1:4318/v1/traces", true, "127.0.0.1", 4318, "/v1/traces"},
      {"http://collector:4318", true, "collector", 4318, "/v1/traces"},
      {"http://collector/otlp/v1/traces", true, "collector", 80, "/otlp/v1/traces"},
      {"http://[::1]:4318/v1/traces", true, "::1", 4318, "/v1/traces"},
      {"https://collector:4318/v1/traces", false, "", 0, ""},
      {"collector:4318", false, "", 0, ""},
      {"http://:4318/v1/traces", false, "", 0, ""},
      {"http://collector:0/v1/traces", false, "", 0, ""},
      {"http://collector:70000/v1/traces", false, "", 0, ""},
      {"http://collector:/v1/traces", false, "", 0, ""},
      {"http://[::1/v1/traces", false, "", 0, ""},
  };
  for (const auto& c : cases) {
    const auto ep = parse_otlp_endpoint(c.url);
    ASSERT_EQ(ep.ok(), c.ok) << c.url;
    if (!c.ok) continue;
    EXPECT_EQ(ep->host, c.host) << c.url;
    EXPECT_EQ(ep->port, c.port) << c.url;
    EXPECT_EQ(ep->target, c.target) << c.url;
  }
}

TEST(OtlpEndpoint, Authority) {
  EXPECT_EQ((OtlpEndpoint{"::1", 4318, "/"}).authority(), "[::1]:4318");
  EXPECT_EQ((OtlpEndpoint{"collector", 80, "/"}).authority(), "collector:80");
}

TEST(OtlpHttp, RefusedIsAnErrorValue) {
  // Port 1 on loopback: nothing listens there.
  const auto sent = post_otlp_json(OtlpEndpoint{"127.0.0.1", 1, "/v1/traces"}, "{}",
                                   std::chrono::milliseconds(500));
  EXPECT_FALSE(sent.ok());
}

}  // namespace
}  // namespace archway::tracing
