#pragma once
// The `auth` policy as a filter (docs/auth.md): authenticates the request
// right after CORS and before everything else. The only header of
// filters/auth/ the registry may name.

#include <memory>

#include "proxy/config/policies/auth.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::outbound {
class HttpClient;
}

namespace archway::filters {

// Compiled once per snapshot. Null for a method this proxy does not
// enforce (config/policies/enforcement.cc refuses such a route first).
[[nodiscard]] std::unique_ptr<const FilterConfig> make_auth_filter(const config::Auth& config,
                                                                   SharedPolicyState& shared);

// Starts, through `client` (a worker's: call this on its loop), the first
// fetch of every jwksUri that has no keys yet, so that keys are there before
// the first request and an endpoint that fails shows on GET /jwks (and the
// APIRoute) without traffic. Sources fetching now or that failed within the
// last 10 s are left alone. The server calls it after each applied snapshot.
void prefetch_jwks(SharedPolicyState& shared, outbound::HttpClient& client);

}  // namespace archway::filters
