#pragma once
// Local rate limits' debts across a restart (docs/ratelimit.md "Local
// limits"): written to the state dir when the proxy stops, read back when
// it starts. A file that is missing or unreadable means full buckets, never
// a failed start.

#include <string>

#include "common/result.h"
#include "proxy/ratelimit/limit_tables.h"

namespace archway::server {

inline constexpr const char* kRateLimitStateFile = "ratelimit-debts.json";

// Written whole to a temporary file, then renamed over the old one.
[[nodiscard]] Result<void> save_rate_limit_debts(const std::string& state_dir,
                                                 const ratelimit::LimitTables::Debts& debts);
[[nodiscard]] Result<ratelimit::LimitTables::Debts> load_rate_limit_debts(
    const std::string& state_dir);

}  // namespace archway::server
