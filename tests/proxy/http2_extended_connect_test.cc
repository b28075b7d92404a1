// RFC 8441 extended CONNECT → RFC 6455 upgrade (proxy/client/h2_extended_connect.h).

#include <gtest/gtest.h>

#include "proxy/client/h2_extended_connect.h"

namespace archway::client {
namespace {

http::Request connect_request() {
  http::Request r;
  r.version = 20;
  r.method = "CONNECT";
  r.target = "/chat";
  r.authority = "ws.test";
  r.has_body = true;  // the stream stays open
  r.headers = {{"sec-websocket-version", "13"}, {"sec-websocket-protocol", "chat"}};
  return r;
}

constexpr std::array<uint8_t, 16> kKey = {'t', 'h', 'e', ' ', 's', 'a', 'm', 'p',
                                          'l', 'e', ' ', 'n', 'o', 'n', 'c', 'e'};

TEST(Http2ExtendedConnect, WebSocketBecomesAnHttp1UpgradeWithAKey) {
  auto r = connect_request();
  r.headers.push_back({"sec-websocket-key", "from-the-client"});
  EXPECT_EQ(to_websocket_upgrade(r, "websocket", kKey), nullptr);
  EXPECT_EQ(r.method, "GET");
  EXPECT_TRUE(r.websocket);
  EXPECT_FALSE(r.has_body);
  EXPECT_EQ(r.target, "/chat");
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0].name, "sec-websocket-version");
  EXPECT_EQ(r.headers[1].name, "sec-websocket-protocol");
  // RFC 6455 §4.1's example nonce and its base64.
  EXPECT_EQ(r.headers[2].name, "sec-websocket-key");
  EXPECT_EQ(r.headers[2].value, "dGhlIHNhbXBsZSBub25jZQ==");
}

TEST(Http2ExtendedConnect, RefusesPlainConnectAndOtherProtocols) {
  auto plain = connect_request();
  EXPECT_NE(to_websocket_upgrade(plain, "", kKey), nullptr);
  EXPECT_EQ(plain.method, "CONNECT");
  auto other = connect_request();
  EXPECT_NE(to_websocket_upgrade(other, "connect-udp", kKey), nullptr);
  EXPECT_FALSE(other.websocket);
}

}  // namespace
}  // namespace archway::client
