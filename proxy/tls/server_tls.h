#pragma once
// Server-side TLS for one route table: an SSL_CTX per virtual host that has a
// certificate, selected by SNI (exact name, then longest "*.suffix"
// wildcard, then the first certificate as default), and ALPN preferring h2
// over http/1.1. Built on the control thread at compile time; immutable
// afterwards (OpenSSL's SSL_CTX is safe to create SSL objects from on many
// threads). Owned by the TableContext, so connections pin it with the table.

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "proxy/config/validated_snapshot.h"

namespace archway::tls {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

class ServerTls {
 public:
  // nullptr (not an error) when no virtual host carries a certificate. Uses
  // the certificates and keys validation parsed; no PEM is read here.
  [[nodiscard]] static Result<std::unique_ptr<const ServerTls>> create(
      const config::ValidatedSnapshot& snapshot);

  // The context a TLS listener starts handshakes with; SNI may switch it.
  [[nodiscard]] SSL_CTX* default_context() const { return contexts_.front().get(); }
  // nullptr when no certificate matches `server_name` (lowercase).
  [[nodiscard]] SSL_CTX* select(std::string_view server_name) const;

 private:
  ServerTls() = default;
  std::vector<SslCtxPtr> contexts_;
  std::unordered_map<std::string, SSL_CTX*> exact_;
  std::unordered_map<std::string, SSL_CTX*> wildcard_;  // key: ".example.com"
};

// Did ALPN pick "h2" on this connection?
[[nodiscard]] bool negotiated_h2(SSL* ssl);

}  // namespace archway::tls
