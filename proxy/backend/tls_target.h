#pragma once
// How an HTTP/1.1 backend connection runs TLS (an HTTPS cluster): the
// cluster's client context and the name to send and verify. Passed by
// pointer; null means plain TCP.

#include <openssl/ssl.h>

#include <string_view>

namespace archway::backend {

struct TlsTarget {
  // Owned by the pinned table's ClusterInfo; each connection's SSL object
  // takes its own reference. Also part of the pool key, so that TLS and
  // plain connections (and two clusters' contexts) never mix.
  SSL_CTX* ctx = nullptr;
  std::string_view server_name;  // tlsServerName: SNI and verified name; empty: none
  bool verify = true;
};

}  // namespace archway::backend
