#include "proxy/ratelimit/gcra.h"

#include <algorithm>

namespace archway::ratelimit {
namespace {

int64_t to_nanos(__int128 ticks, const GcraLimit& limit) {
  return static_cast<int64_t>(std::min<__int128>(ticks * limit.unit_ns, GcraLimit::kMaxTicks));
}

}  // namespace

GcraLimit GcraLimit::from(uint64_t requests, std::chrono::nanoseconds period, uint64_t burst) {
  GcraLimit limit;
  limit.requests = std::max<uint64_t>(requests, 1);
  limit.period = std::max(period, std::chrono::nanoseconds(1));
  limit.capacity = limit.requests + burst;
  // Rounded down to whole nanoseconds per token: the error is under one
  // nanosecond per token, so N per minute lets through N, never N + 1.
  const __int128 emission_ns = std::max<__int128>(limit.period.count() / limit.requests, 1);
  const __int128 window_ns = emission_ns * limit.capacity;
  const __int128 unit = (window_ns + kMaxTicks - 1) / kMaxTicks;
  limit.unit_ns = static_cast<int64_t>(unit);
  limit.emission = static_cast<int64_t>(std::max<__int128>(emission_ns / unit, 1));
  limit.window = static_cast<int64_t>(
      std::min<__int128>(static_cast<__int128>(limit.emission) * limit.capacity, kMaxTicks));
  return limit;
}

Decision take(int64_t& tat, int64_t now_ns, const GcraLimit& limit) {
  const int64_t now = now_ns / limit.unit_ns;
  // Past a whole window ahead only if the clock went back (or the limit
  // shrank under a live bucket): an empty bucket, never worse.
  if (tat > now && tat - now > limit.window) tat = now + limit.window;
  const int64_t start = std::max(tat, now);
  // No overflow: now < 2^62 until the year 2116, tat ≤ now + window and
  // emission ≤ window ≤ 2^61.
  const int64_t next = start + limit.emission;
  const int64_t used = next - now;  // the bucket's debt if this request passes
  Decision d;
  if (used <= limit.window) {
    tat = next;
    d.allowed = true;
    d.remaining = static_cast<uint64_t>((limit.window - used) / limit.emission);
    d.reset_ns = to_nanos(used, limit);
  } else {
    d.retry_after_ns = to_nanos(used - limit.window, limit);
    d.reset_ns = to_nanos(start - now, limit);
  }
  return d;
}

BulkGrant take_many(int64_t& tat, int64_t now_ns, const GcraLimit& limit, uint64_t want,
                    uint64_t give_back) {
  const int64_t now = now_ns / limit.unit_ns;
  if (tat > now && tat - now > limit.window) tat = now + limit.window;
  if (give_back > 0 && tat > now) {
    const __int128 returned = static_cast<__int128>(give_back) * limit.emission;
    tat = static_cast<int64_t>(std::max<__int128>(tat - returned, now));
  }
  const int64_t start = std::max(tat, now);
  const int64_t debt = start - now;
  BulkGrant g;
  const uint64_t available =
      debt >= limit.window ? 0 : static_cast<uint64_t>((limit.window - debt) / limit.emission);
  g.granted = std::min(want, available);
  g.available = available - g.granted;
  if (g.granted > 0) {
    tat = start + static_cast<int64_t>(g.granted) * limit.emission;
  } else {
    g.retry_after_ns = to_nanos(debt + limit.emission - limit.window, limit);
  }
  return g;
}

}  // namespace archway::ratelimit
