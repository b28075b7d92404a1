// URL parsing for the outbound client (proxy/outbound/url.h), table-driven.
#include <gtest/gtest.h>

#include "proxy/outbound/url.h"

namespace archway::outbound {
namespace {

struct Accepted {
  const char* text;
  bool https;
  const char* host;
  bool ip_literal;
  uint16_t port;
  const char* authority;
  const char* target;
};

TEST(OutboundUrl, Accepted) {
  const Accepted cases[] = {
      {"http://id.example.com/jwks.json", false, "id.example.com", false, 80, "id.example.com",
       "/jwks.json"},
      {"HTTPS://ID.Example.com", true, "id.example.com", false, 443, "id.example.com", "/"},
      {"https://id.test:8443/a/b?x=1&y=%20#frag", true, "id.test", false, 8443, "id.test:8443",
       "/a/b?x=1&y=%20"},
      {"http://10.0.0.1:8080?q", false, "10.0.0.1", true, 8080, "10.0.0.1:8080", "/?q"},
      {"http://[::1]:9000/p", false, "::1", true, 9000, "[::1]:9000", "/p"},
      {"https://[::1]/", true, "::1", true, 443, "[::1]", "/"},
  };
  for (const auto& c : cases) {
    auto url = parse_url(c.text);
    ASSERT_TRUE(url.ok()) << c.text << ": " << url.error().to_string();
    EXPECT_EQ(url->https, c.https) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->ip_literal, c.ip_literal) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->authority, c.authority) << c.text;
    EXPECT_EQ(url->target, c.target) << c.text;
  }
}

TEST(OutboundUrl, Refused) {
  for (const char* text :
       {"", "/relative", "ftp://h/", "http://", "http://user:pw@h/", "http://h:0/",
        "http://h:65536/", "http://h:x/", "http://h /", "mailto:a@b"}) {
    auto url = parse_url(text);
    EXPECT_FALSE(url.ok()) << text;
    if (!url.ok()) {
      EXPECT_EQ(url.error().code, Error::Code::kInvalidArgument) << text;
    }
  }
}

}  // namespace
}  // namespace archway::outbound
