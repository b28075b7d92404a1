#pragma once
// The outbound client's TLS contexts, built once and reused: one per
// (server name, extra CA, verify). Per worker, worker-thread only.
//
// Why the server name is part of the key: the backend pools key their
// connections by (address, SSL_CTX*) (backend/pool.h, h2_sessions.h), which
// is right for a cluster whose context carries one tlsServerName. Two host
// names behind one address must never share a connection verified for the
// other, so each name gets its own context and so its own pool entries.
// Policies call a handful of hosts (an identity provider, an introspection
// endpoint), so the map stays small; kMaxContexts bounds it anyway.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "common/result.h"
#include "proxy/outbound/request.h"
#include "proxy/tls/server_tls.h"

namespace archway::outbound {

class ClientTlsCache {
 public:
  // The context for `server_name` with `options`: verification against the
  // system trust store (SSL_CTX_set_default_verify_paths) plus the extra
  // CA, ALPN "h2, http/1.1". kInvalidArgument when the extra CA is not PEM.
  // The pointer stays valid while this cache lives and holds it; connections
  // take their own reference (SSL_new), so dropping it from the map is safe.
  [[nodiscard]] Result<SSL_CTX*> get(std::string_view server_name, const TlsOptions& options);
  [[nodiscard]] size_t size() const { return contexts_.size(); }

  // Above this many contexts the cache starts over (each costs a few KiB
  // plus the parsed trust store).
  static constexpr size_t kMaxContexts = 64;

 private:
  using Key = std::tuple<std::string, std::string, bool>;  // name, CA PEM, verify
  std::map<Key, tls::SslCtxPtr> contexts_;
};

}  // namespace archway::outbound
