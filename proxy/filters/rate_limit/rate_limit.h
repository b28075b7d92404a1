#pragma once
// The rateLimit policy as a filter (docs/ratelimit.md): one token from the
// key's bucket per request, `429` when there is none. The only header of
// filters/rate_limit/ the registry may name.

#include <memory>
#include <string>

#include "proxy/config/policies/rate_limit.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters {

// Compiled once per snapshot; stateless per exchange (no allocation). The
// buckets come from `shared`, so a swap that keeps the limit keeps them.
// `owner` names the route and rule (the table's identity).
[[nodiscard]] std::unique_ptr<const FilterConfig> make_rate_limit_filter(
    const config::RateLimit& limit, const std::string& owner, SharedPolicyState& shared);

}  // namespace archway::filters
