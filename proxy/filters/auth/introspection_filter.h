#pragma once
// auth.oauth2Introspection (docs/auth.md): the bearer token judged by the
// identity provider's RFC 7662 endpoint, through the process's shared
// TokenIntrospector (cache and coalescing, SharedPolicyState) and the
// calling worker's OutboundIntrospectionCaller; required scopes checked on
// the answer. Private to filters/auth/.

#include <memory>

#include "proxy/config/policies/auth.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters::auth {

[[nodiscard]] std::unique_ptr<const FilterConfig> make_introspection_filter(
    const config::OAuth2Introspection& config, SharedPolicyState& shared);

}  // namespace archway::filters::auth
