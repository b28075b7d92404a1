#pragma once
// The `cache` policy as the snapshot carries it (docs/snapshot.md "cache").

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace archway::config {

struct Cache {
  std::chrono::milliseconds ttl{};         // > 0, required
  std::vector<std::string> vary_headers;   // distinct header names in lower case, at most 16
  uint64_t max_body_bytes = 1048576;       // 0..67108864 (64 MiB)
  bool cache_authorized_requests = false;  // also cache requests with Authorization
  // RFC 5861 windows used when the response names none; 0 = off.
  std::chrono::milliseconds stale_while_revalidate{};
  std::chrono::milliseconds stale_if_error{};
  bool cache_set_cookie = false;  // also store responses that carry Set-Cookie

  bool operator==(const Cache&) const = default;
};

}  // namespace archway::config
