#pragma once
// Client-side TLS towards an HTTPS cluster: verification (the system trust
// store plus the cluster's tlsCaPem, unless tlsVerify is false) and ALPN
// offering h2, then http/1.1. Built once per table on the control thread,
// shared read-only by the workers (SSL objects are made from it per
// connection; OpenSSL allows that from many threads).

#include <openssl/ssl.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/tls_check.h"
#include "proxy/tls/server_tls.h"

namespace archway::tls {

// Every client context, towards backends and for the outbound client alike:
// TLS 1.2 or later, ALPN "h2, http/1.1", and when `verify` the system trust
// store plus `extra_anchors`. `field` names the input in an error.
[[nodiscard]] Result<SslCtxPtr> make_client_context(
    bool verify, const std::vector<config::CertificatePtr>& extra_anchors,
    const std::string& field);

// An HTTPS cluster's context. `trust_anchors`: the cluster's tlsCaPem as
// validation parsed it (ValidatedSnapshot::trust_anchors).
[[nodiscard]] Result<SslCtxPtr> make_client_context(
    const config::Cluster& cluster, const std::vector<config::CertificatePtr>& trust_anchors);

// Per connection, before the handshake: `server_name` (a cluster's
// tlsServerName) as SNI and, when `verify`, as the name the certificate must
// carry. Empty: neither. Used by every backend TLS connection (HTTP/2 and
// HTTP/1.1) so that both verify alike.
void prepare_client_ssl(SSL* ssl, std::string_view server_name, bool verify);

// Per connection: offer only http/1.1 by ALPN (instead of the context's
// "h2, http/1.1"), for a connection opened to carry HTTP/1.1 to a backend
// already known to choose it. Its protocol is then known before the
// handshake.
void offer_http1_only(SSL* ssl);

}  // namespace archway::tls
