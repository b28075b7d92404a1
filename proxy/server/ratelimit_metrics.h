#pragma once
// The rate limits' process-wide metrics (docs/ratelimit.md "Metrics"):
// Local evictions, and the Global limiter's decisions and Redis calls.
// archway_ratelimit_limited_total is per route, in the workers' stats.

#include <string>

#include "proxy/ratelimit/global/global_limiter.h"
#include "proxy/ratelimit/limit_tables.h"

namespace archway::server {

// `global`: null when no Redis is configured (redis_up is then 0: every
// Global rule uses its fallback).
[[nodiscard]] std::string render_ratelimit_metrics(
    const ratelimit::LimitTables::Evictions& evictions,
    const ratelimit::GlobalLimiterStats* global);

}  // namespace archway::server
