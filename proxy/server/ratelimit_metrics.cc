#include "proxy/server/ratelimit_metrics.h"

#include "proxy/metrics/families.h"

namespace archway::server {

std::string render_ratelimit_metrics(const ratelimit::LimitTables::Evictions& evictions,
                                     const ratelimit::GlobalLimiterStats* global) {
  std::string out = metrics::render_labelled_counter(
      "archway_ratelimit_evictions_total",
      "Local rate-limit keys forgotten for room: full buckets, or buckets that still held debt.",
      "kind", {{"full", evictions.full}, {"debt", evictions.with_debt}});
  const uint64_t local = global ? global->local_decisions.load() : 0;
  const uint64_t calls = global ? global->redis_calls.load() : 0;
  out += metrics::render_labelled_counter(
      "archway_ratelimit_decisions_total",
      "Global rate-limit decisions made from a lease (local) or by a Redis call (redis).", "where",
      {{"local", local}, {"redis", calls}});
  out +=
      "# HELP archway_ratelimit_redis_errors_total Redis calls of Global limits that failed.\n"
      "# TYPE archway_ratelimit_redis_errors_total counter\n"
      "archway_ratelimit_redis_errors_total " +
      std::to_string(global ? global->redis_errors.load() : 0) + "\n";
  out +=
      "# HELP archway_ratelimit_redis_up 1 while Redis answers; 0 while Global limits use their "
      "fallback.\n"
      "# TYPE archway_ratelimit_redis_up gauge\n"
      "archway_ratelimit_redis_up " +
      std::string(global && global->redis_up.load() ? "1" : "0") + "\n";
  const double seconds =
      global ? static_cast<double>(global->redis_latency_ns_total.load()) / 1e9 : 0;
  out +=
      "# HELP archway_ratelimit_redis_call_duration_seconds Time spent in Redis calls of Global "
      "limits.\n"
      "# TYPE archway_ratelimit_redis_call_duration_seconds summary\n"
      "archway_ratelimit_redis_call_duration_seconds_sum " +
      std::to_string(seconds) + "\narchway_ratelimit_redis_call_duration_seconds_count " +
      std::to_string(calls) + "\n";
  return out;
}

}  // namespace archway::server
