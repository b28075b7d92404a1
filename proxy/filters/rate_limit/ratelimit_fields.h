#pragma once
// The response fields of a rate limit (docs/ratelimit.md "What a client
// sees"): `RateLimit-Policy` and `RateLimit` as structured fields (RFC 8941)
// per draft-ietf-httpapi-ratelimit-headers-09, and `Retry-After` (RFC 9110
// §10.2.3) on a refusal. Pure string formatting.

#include <cstdint>
#include <string>

#include "proxy/ratelimit/gcra.h"

namespace archway::filters::rate_limit {

// `"<name>";q=<requests>;w=<period in seconds>`: the quota and its window.
// `name` is the policy's name in both fields (an sf-string, quoted).
[[nodiscard]] std::string policy_field(std::string_view name, const ratelimit::GcraLimit& limit);

// `"<name>";r=<remaining>;t=<seconds until the bucket is full again>`.
[[nodiscard]] std::string limit_field(std::string_view name, const ratelimit::Decision& decision);

// Whole seconds, rounded up, at least 1: a client that waits that long
// finds a token (RFC 9110's delay-seconds are integers).
[[nodiscard]] int64_t retry_after_seconds(const ratelimit::Decision& decision);

}  // namespace archway::filters::rate_limit
