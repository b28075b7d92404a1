#pragma once
// auth.jwt (docs/auth.md): the bearer token verified against the route's
// key set (inline, parsed here once; or a jwksUri's, from the process's
// JwksCache), cached per process once verified, scopes checked, claims
// forwarded. Private to filters/auth/.

#include <memory>

#include "proxy/config/policies/auth.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters::auth {

[[nodiscard]] std::unique_ptr<const FilterConfig> make_jwt_filter(const config::JwtAuth& config,
                                                                  SharedPolicyState& shared);

}  // namespace archway::filters::auth
