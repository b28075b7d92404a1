#pragma once
// auth.apiKey (docs/auth.md "API keys"): the key in the route's header is
// hashed and compared in constant time with the digests the snapshot
// carries (identity::ApiKeySet); the key id becomes the request's identity.
// The header is removed before anything else happens, so a backend never
// sees a key. Private to filters/auth/.

#include <memory>

#include "proxy/config/policies/auth.h"
#include "proxy/filters/filter.h"

namespace archway::filters::auth {

[[nodiscard]] std::unique_ptr<const FilterConfig> make_api_key_filter(
    const config::ApiKeyAuth& config);

}  // namespace archway::filters::auth
