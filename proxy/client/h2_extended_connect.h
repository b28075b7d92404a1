#pragma once
// RFC 8441: WebSocket over an HTTP/2 client stream. The proxy advertises
// SETTINGS_ENABLE_CONNECT_PROTOCOL; a stream opened with `:method CONNECT`
// and `:protocol websocket` is bridged to the RFC 6455 HTTP/1.1 Upgrade
// that backends speak. The request becomes that GET (routing, header
// operations and the access log see GET, as for an HTTP/1.1 WebSocket);
// the backend's 101 becomes the client's 200 (client_stream.cc), and the
// stream's DATA carries the tunnel both ways. Pure; unit-tested in
// tests/proxy/http2_extended_connect_test.cc.

#include <array>
#include <cstdint>
#include <string_view>

#include "proxy/http/message.h"

namespace archway::client {

// Rewrites a CONNECT head (`protocol` is its :protocol, "" when absent)
// into an HTTP/1.1 WebSocket upgrade request. `key` is 16 random bytes for
// the Sec-WebSocket-Key the backend handshake needs (an HTTP/2 client
// sends none, RFC 8441 §5). Returns null on success, else why the request
// is refused (plain CONNECT, or a :protocol other than websocket).
[[nodiscard]] const char* to_websocket_upgrade(http::Request& request, std::string_view protocol,
                                               const std::array<uint8_t, 16>& key);

}  // namespace archway::client
