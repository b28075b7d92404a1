#include "proxy/client/h2_extended_connect.h"

#include <openssl/evp.h>

namespace archway::client {

const char* to_websocket_upgrade(http::Request& request, std::string_view protocol,
                                 const std::array<uint8_t, 16>& key) {
  if (protocol.empty()) return "CONNECT is not supported";
  if (protocol != "websocket") return "unsupported :protocol (only websocket)";
  request.method = "GET";
  request.websocket = true;
  // The stream stays open for the tunnel, but the upgrade request itself
  // has no body (RFC 6455 §4.1).
  request.has_body = false;
  request.content_length.reset();
  http::erase_if(request.headers, [](const http::Header& h) {
    return h.name == "sec-websocket-key" || h.name == "sec-websocket-accept";
  });
  // base64 of 16 bytes: 24 characters and a terminating NUL.
  unsigned char encoded[25];
  const int n = EVP_EncodeBlock(encoded, key.data(), static_cast<int>(key.size()));
  request.headers.push_back(
      {"sec-websocket-key",
       std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n))});
  return nullptr;
}

}  // namespace archway::client
