#pragma once
// The rate-limit arithmetic (docs/ratelimit.md "How a limit counts"): a
// token bucket of `requests + burst` tokens refilled at `requests` per
// `period`, kept as GCRA's one number per key, the theoretical arrival time
// (TAT). One integer per key is what lets a bucket be updated under one
// short lock by any worker, and later compared-and-set in Redis by one
// script. Pure: every `now` is a parameter, nanoseconds on the wall clock
// (so a TAT persisted across a restart still means the same instant).

#include <chrono>
#include <cstdint>

namespace archway::ratelimit {

// A limit in GCRA's terms. Its clock ticks in `unit_ns`: 1 ns for any
// real rate, coarser only when a whole bucket's worth of time would not fit
// in 61 bits (a burst of a billion on a period of years), so that huge
// limits keep their capacity instead of overflowing or being cut short.
struct GcraLimit {
  static constexpr int64_t kMaxTicks = int64_t{1} << 61;

  int64_t unit_ns = 1;    // one tick
  int64_t emission = 1;   // ticks per token: period / requests, at least 1
  int64_t window = 1;     // ticks for the whole bucket: emission * capacity
  uint64_t capacity = 1;  // requests + burst: what may pass at once from a full bucket
  uint64_t requests = 1;  // the steady quota per period (the RateLimit-Policy field)
  std::chrono::nanoseconds period{1};

  // `requests` ≥ 1 and `period` > 0 (the snapshot validates both).
  static GcraLimit from(uint64_t requests, std::chrono::nanoseconds period, uint64_t burst);
  bool operator==(const GcraLimit&) const = default;
};

struct Decision {
  bool allowed = false;
  uint64_t remaining = 0;      // tokens left after this request
  int64_t retry_after_ns = 0;  // denied: when one token will be back; allowed: 0
  int64_t reset_ns = 0;        // when the bucket will be full again
  // Both saturate at GcraLimit::kMaxTicks nanoseconds (~73 years).
};

// Takes one token from the bucket whose TAT is `tat` (in the limit's ticks;
// 0: a key never seen, i.e. a full bucket) and updates it when the request is allowed. A TAT
// further ahead than a whole window cannot come from counting: the wall
// clock stepped back. It is pulled back to an empty bucket rather than
// blocking the key for as long as the clock jumped.
Decision take(int64_t& tat, int64_t now_ns, const GcraLimit& limit);

// Up to `want` tokens at once, after handing back `give_back` unspent ones
// (never past a full bucket): a Global limit's lease, the C++ twin of the
// Redis script (redis_script.h) that the lease simulation tests count on.
struct BulkGrant {
  uint64_t granted = 0;
  uint64_t available = 0;      // tokens left after the grant
  int64_t retry_after_ns = 0;  // granted == 0: when one token is back
};
BulkGrant take_many(int64_t& tat, int64_t now_ns, const GcraLimit& limit, uint64_t want,
                    uint64_t give_back);

// Whether a key's bucket is full at `now` (its entry holds nothing a fresh
// one would not): such entries are the ones to forget first.
inline bool is_full(int64_t tat, int64_t now_ns, const GcraLimit& limit) {
  return tat <= now_ns / limit.unit_ns;
}

}  // namespace archway::ratelimit
