#pragma once
// Pushes a snapshot to the proxy's admin Unix socket (PUT /config, HTTP/1.1)
// and reads the ACK/NACK (docs/proxy.md). An edge: errors are values.

#include <chrono>
#include <string>

#include "common/result.h"
#include "controller/status/jwks_condition.h"

namespace archway::controller::push {

struct PushReply {
  bool ack = false;
  std::string version;  // the version now live in the proxy
  std::string message;  // NACK reason
};

[[nodiscard]] Result<PushReply> push_snapshot(const std::string& socket_path,
                                              const std::string& snapshot_json,
                                              std::chrono::milliseconds timeout);

// GET /jwks: how the proxy's fetches of each jwksUri stand (the
// APIRoutes' JWKSReady condition).
[[nodiscard]] Result<status::JwksReports> fetch_jwks_status(const std::string& socket_path,
                                                            std::chrono::milliseconds timeout);
// The response's parse, for tests.
[[nodiscard]] Result<status::JwksReports> parse_jwks_status(const std::string& response);

}  // namespace archway::controller::push
