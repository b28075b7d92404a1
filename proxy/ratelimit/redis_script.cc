#include "proxy/ratelimit/redis_script.h"

#include <openssl/sha.h>

#include <algorithm>

namespace archway::ratelimit {

// Effects replication (the default since Redis 5) lets a script read TIME.
// Every replica uses Redis's clock, so replicas' clocks need not agree.
const std::string_view kLeaseScript = R"lua(
local emission = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tick = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local back = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / tick)
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > now + window then tat = now + window end
if back > 0 and tat > now then tat = math.max(tat - back * emission, now) end
local start = math.max(tat, now)
local debt = start - now
local available = 0
if debt < window then available = math.floor((window - debt) / emission) end
local granted = math.min(want, available)
if granted > 0 then tat = start + granted * emission end
if tat > now then
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) * tick / 1000) + 1)
else
  redis.call('DEL', KEYS[1])
end
local retry = 0
if granted == 0 then retry = (debt + emission - window) * tick end
return {granted, available - granted, retry}
)lua";

ScriptLimit script_limit(const GcraLimit& limit) {
  constexpr __int128 kMaxWindow = __int128{1} << 50;
  const __int128 period_us = std::max<int64_t>(limit.period.count() / 1000, 1);
  const __int128 emission_us = std::max<__int128>(period_us / limit.requests, 1);
  const __int128 window_us = emission_us * limit.capacity;
  const __int128 tick = (window_us + kMaxWindow - 1) / kMaxWindow;
  ScriptLimit out;
  out.tick_us = static_cast<int64_t>(tick);
  out.emission = static_cast<int64_t>(std::max<__int128>(emission_us / tick, 1));
  out.window = static_cast<int64_t>(
      std::min<__int128>(static_cast<__int128>(out.emission) * limit.capacity, kMaxWindow));
  return out;
}

std::string bucket_redis_key(std::string_view limit_id, std::string_view key) {
  std::string input;
  input.reserve(limit_id.size() + 1 + key.size());
  input.append(limit_id).push_back('\0');
  input.append(key);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "archway:rl:";
  for (size_t i = 0; i < 16; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::vector<std::string> lease_script_args(const ScriptLimit& limit, uint64_t want,
                                           uint64_t give_back) {
  return {std::to_string(limit.emission), std::to_string(limit.window),
          std::to_string(limit.tick_us), std::to_string(want), std::to_string(give_back)};
}

}  // namespace archway::ratelimit
