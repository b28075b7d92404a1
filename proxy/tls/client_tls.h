#pragma once
// Client-side TLS towards an HTTPS cluster: verification (the system trust
// store plus the cluster's tlsCaPem, unless tlsVerify is false) and ALPN
// offering h2, then http/1.1. Built once per table on the control thread,
// shared read-only by the workers (SSL objects are made from it per
// connection; OpenSSL allows that from many threads).

#include <openssl/ssl.h>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/tls/server_tls.h"

namespace archway::tls {

[[nodiscard]] Result<SslCtxPtr> make_client_context(const config::Cluster& cluster);

}  // namespace archway::tls
