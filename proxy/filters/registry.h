#pragma once
// The one explicit list of policies and their order (DESIGN.md §1,
// docs/policies.md): each route's chain is compiled from it once per
// snapshot. No static self-registration (STYLE.md habit 8).

#include <string_view>
#include <vector>

#include "proxy/config/policies/cors.h"
#include "proxy/config/snapshot.h"
#include "proxy/filters/filter_chain.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters {

// The route's chain: only the policies it uses, in the registry's order.
// Empty for a plain route to backends, which then skips the chain.
[[nodiscard]] CompiledChain compile_chain(const config::Route& route);

// The same with the CORS policy given explicitly (nullptr: none); what
// compile_chain calls with the route's own.
[[nodiscard]] CompiledChain compile_chain(const config::Route& route, const config::Cors* cors);

// The same with the process's shared policy state (JWKS, verified tokens),
// which outlives the snapshot; the overloads above use a fresh one (tests).
[[nodiscard]] CompiledChain compile_chain(const config::Route& route, SharedPolicyState& shared);
[[nodiscard]] CompiledChain compile_chain(const config::Route& route, const config::Cors* cors,
                                          SharedPolicyState& shared);

// The names of the policies in the route's chain, in the chain's (request
// phase) order: exactly the filters compile_chain(route) builds, each named
// as in kChainOrder ("cors", "auth", "rateLimit", ...). For tools that
// explain a route (kubectl-archway explain); the proxy does not call it.
[[nodiscard]] std::vector<std::string_view> policy_names(const config::Route& route);

// What the route's cache entries are stored under (filters/cache/cache.h):
// the server keeps only the live routes' entries after a swap. 0 without a
// cache policy.
[[nodiscard]] uint64_t route_cache_fingerprint(const config::Route& route);

}  // namespace archway::filters
