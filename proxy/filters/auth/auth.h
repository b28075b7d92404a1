#pragma once
// The `auth` policy as a filter (docs/auth.md): authenticates the request
// right after CORS and before everything else. The only header of
// filters/auth/ the registry may name.

#include <memory>

#include "proxy/config/policies/auth.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters {

// Compiled once per snapshot. Null for a method this proxy does not
// enforce (config/policies/enforcement.cc refuses such a route first).
[[nodiscard]] std::unique_ptr<const FilterConfig> make_auth_filter(const config::Auth& config,
                                                                   SharedPolicyState& shared);

}  // namespace archway::filters
