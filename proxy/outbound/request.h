#pragma once
// What a policy asks of the outbound client (http_client.h) and what it
// gets back. Plain values: a filter builds one, the client copies nothing
// out of it after fetch() returns.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "proxy/http/message.h"

namespace archway::outbound {

struct TlsOptions {
  // Verify the server's certificate chain and name (the URL's host). Off
  // only for tests and explicitly insecure configurations.
  bool verify = true;
  // PEM trust anchors added to the system trust store, e.g. a cluster CA
  // for an in-cluster identity provider.
  std::optional<std::string> extra_ca_pem;
};

struct OutboundRequest {
  std::string method = "GET";
  std::string url;  // http:// or https:// (url.h)
  // Lowercased before sending. host, content-length, transfer-encoding and
  // the hop-by-hop fields are the client's to set and are dropped.
  http::Headers headers;
  // Host (or :authority) to send instead of the URL's; empty: the URL's.
  // For a request made on a backend's behalf (a cache's background
  // refresh): the URL names an endpoint's address, this the route's host.
  std::string authority;
  std::string body;  // sent with content-length (none for an empty GET/HEAD)
  // From fetch() to the last byte of the response: resolve, connect, TLS,
  // request and response together.
  std::chrono::milliseconds timeout{5000};
  // A response body above this is an error; the connection is dropped.
  uint64_t max_response_bytes = 1024 * 1024;
  TlsOptions tls;
};

struct OutboundResponse {
  int status = 0;         // any status, 4xx and 5xx included: not an error
  http::Headers headers;  // lowercased names, hop-by-hop removed
  std::string body;
};

}  // namespace archway::outbound
