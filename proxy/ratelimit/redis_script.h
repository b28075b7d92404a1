#pragma once
// The one Redis script of Global limits (docs/ratelimit.md "Global
// limits"): take up to `want` tokens from a bucket after handing back
// `give_back` unspent ones, atomically, on Redis's own clock. It is
// take_many (gcra.h) in Lua: the same arithmetic, counted in microseconds
// because Lua numbers are doubles (exact to 2^53; microseconds since 1970
// stay below that for another 250 years).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/ratelimit/gcra.h"

namespace archway::ratelimit {

// KEYS[1]: the bucket. ARGV: emission, window (ticks), tick (µs), want,
// give_back. Reply: {granted, available after, retry-after µs}.
extern const std::string_view kLeaseScript;

// A limit in the script's ticks: microseconds, coarser only when a whole
// bucket's worth would pass 2^50 µs (~35 years).
struct ScriptLimit {
  int64_t tick_us = 1;
  int64_t emission = 1;
  int64_t window = 1;
};
[[nodiscard]] ScriptLimit script_limit(const GcraLimit& limit);

// The Redis key of one bucket: a digest of the limit's identity and the
// request's key, so that no header value or key id is stored in Redis in
// the clear and every key has the same short length. One key per call, so
// any key routes on a Redis Cluster.
[[nodiscard]] std::string bucket_redis_key(std::string_view limit_id, std::string_view key);

// The script's arguments after KEYS[1].
[[nodiscard]] std::vector<std::string> lease_script_args(const ScriptLimit& limit, uint64_t want,
                                                         uint64_t give_back);

}  // namespace archway::ratelimit
