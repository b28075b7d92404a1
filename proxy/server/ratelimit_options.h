#pragma once
// The proxy's rate-limit flags (--redis-*, --trusted-proxy-hops,
// --ratelimit-max-keys) turned into the server's options
// (docs/ratelimit.md "Redis", docs/proxy.md "Flags").

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "proxy/server/server.h"

namespace archway::server {

struct RateLimitFlags {
  std::string redis_address;  // "host:port"; a cluster: several, comma-separated
  bool redis_cluster = false;
  std::string redis_username;       // Redis 6 ACL user; empty: password only
  std::string redis_password_file;  // a mounted Secret's key; empty: no AUTH
  bool redis_tls = false;
  std::string redis_ca_file;      // extra trust anchors (PEM); the system's are always used
  std::string redis_server_name;  // SNI and the name to verify; empty: the address's host
  uint32_t trusted_proxy_hops = 0;
  size_t max_keys = 100'000;
};

// Errors name the flag.
[[nodiscard]] Result<RateLimitOptions> rate_limit_options(const RateLimitFlags& flags);

}  // namespace archway::server
