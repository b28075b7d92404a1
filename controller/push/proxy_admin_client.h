#pragma once
// Pushes a snapshot to the proxy's admin Unix socket (PUT /config, HTTP/1.1)
// and reads the ACK/NACK (docs/proxy.md). An edge: errors are values.

#include <chrono>
#include <string>

#include "common/result.h"

namespace archway::controller::push {

struct PushReply {
  bool ack = false;
  std::string version;  // the version now live in the proxy
  std::string message;  // NACK reason
};

[[nodiscard]] Result<PushReply> push_snapshot(const std::string& socket_path,
                                              const std::string& snapshot_json,
                                              std::chrono::milliseconds timeout);

}  // namespace archway::controller::push
