#pragma once
// The admin endpoints, on their own thread (never on a worker):
//   Unix socket (--admin-socket): PUT /config (snapshot JSON or YAML) →
//     200 {"status":"ACK","version":"N"} or
//     400 {"status":"NACK","version":"<live>","message":"<field: why>"};
//     GET /config → {"version":"N","hash":"<sha256>"}.
//   TCP (--admin-address:--admin-port): GET /healthz, /readyz, /metrics,
//     /config. PUT is refused there: only the pod-local socket may change
//     the table.
//   Both: GET /jwks → {"sources":[{"uri","state":"Pending|Ready|Failing",
//     "keys","error","lastSuccessSecondsAgo","failingForSeconds"}]}, one per
//     jwksUri the live routes name (docs/auth.md; the controller reads it for
//     the APIRoutes' JWKSReady condition).
//   Both: DELETE /cache?host=H&path=P|prefix=P → {"purged":N} (cache_purge.h).
// HTTP/1.1 via Beast's message reader (bodies up to 64 MiB).

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "proxy/admin/admin_response.h"
#include "proxy/admin/cache_purge.h"
#include "proxy/identity/jwks_cache.h"
#include "proxy/server/server.h"

namespace archway::admin {

struct AdminOptions {
  std::optional<std::string> socket_path;
  std::optional<std::string> address;  // TCP listener when set
  uint16_t port = 9901;
  // DELETE /cache runs it (main wires it to the server's cache); null: the
  // endpoint answers {"purged":0}.
  PurgeCache purge_cache;
};

class AdminServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<AdminServer>> create(AdminOptions options,
                                                                   server::Server& server);
  ~AdminServer();
  void stop();

  // The actual TCP port (useful when 0 was asked for).
  [[nodiscard]] uint16_t tcp_port() const { return tcp_port_; }

  class Impl;

 private:
  AdminServer() = default;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  uint16_t tcp_port_ = 0;
};

// The GET /jwks body.
[[nodiscard]] std::string jwks_status_json(const std::vector<identity::JwksSourceStatus>& sources);
// What the admin API answers, as a pure function of the request (tested
// without sockets). `local` is true on the Unix socket; `accept` is the
// request's Accept field (GET /metrics: OpenMetrics or Prometheus text).
[[nodiscard]] AdminResponse handle_admin_request(server::Server& server, std::string_view method,
                                                 std::string_view target, std::string_view body,
                                                 bool local, const PurgeCache& purge_cache,
                                                 std::string_view accept = {});

}  // namespace archway::admin
