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

  bool operator==(const Cache&) const = default;
};

}  // namespace archway::config
