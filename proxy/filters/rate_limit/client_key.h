#pragma once
// Whose bucket a request takes from (docs/ratelimit.md "Keys"). Pure: reads
// the request head and what the auth filter decided.

#include <cstdint>
#include <string_view>

#include "proxy/config/policies/rate_limit.h"
#include "proxy/http/message.h"

namespace archway::filters::rate_limit {

// The client's address for `key: ClientIP`. With `trusted_hops` = 0 the
// peer address. With n > 0 (n proxies of the operator's in front, each
// appending to X-Forwarded-For), the n-th address from the right of the
// X-Forwarded-For entries: the one the outermost trusted proxy saw. Fewer
// entries than that: the peer address, as if nothing were forwarded (a
// client cannot pick its own key by sending the header).
[[nodiscard]] std::string_view client_address(const http::Request& request, uint32_t trusted_hops);

// The key of `limit` for `request`. `identity` is what authentication
// established (the API key id or the token's subject; empty without one).
// An absent key (no such header) is the empty string: those requests share
// one bucket.
[[nodiscard]] std::string_view bucket_key(const config::RateLimit& limit,
                                          const http::Request& request, std::string_view identity,
                                          uint32_t trusted_hops);

}  // namespace archway::filters::rate_limit
