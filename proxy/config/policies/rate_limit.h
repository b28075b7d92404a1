#pragma once
// The `rateLimit` policy as the snapshot carries it (docs/snapshot.md
// "rateLimit"): a token bucket of `requests` per `period` plus `burst`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace archway::config {

enum class RateLimitKey { kClientIp, kApiKey, kUser, kHeader };
enum class RateLimitScope { kLocal, kGlobal };
// What a Global limit does while Redis cannot be reached (docs/ratelimit.md).
enum class RateLimitFallback { kLocal, kAllow, kDeny };
// Which responses carry RateLimit-Policy and RateLimit.
enum class RateLimitHeaders { kAlways, kWhenLimited };

struct RateLimit {
  uint64_t requests = 0;               // 1..1000000000, required
  std::chrono::milliseconds period{};  // > 0, required
  uint64_t burst = 0;                  // 0..1000000000
  RateLimitKey key = RateLimitKey::kClientIp;
  std::optional<std::string> header;  // lower case; set exactly when key is kHeader
  RateLimitScope scope = RateLimitScope::kLocal;
  RateLimitFallback fallback = RateLimitFallback::kLocal;
  RateLimitHeaders headers = RateLimitHeaders::kAlways;

  bool operator==(const RateLimit&) const = default;
};

}  // namespace archway::config
