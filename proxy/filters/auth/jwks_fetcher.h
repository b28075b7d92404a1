#pragma once
// JWKS fetches through a worker's outbound client (docs/outbound.md): the
// JwksFetcher the identity cache asks for. HTTPS verified, no redirects;
// every response goes to the cache, which keeps only a 200's keys. Private
// to filters/auth/.

#include <chrono>
#include <optional>
#include <string_view>

#include "proxy/identity/jwks_cache.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::auth {

// The client must be the calling worker's; the fetch runs on its loop and
// outlives the exchange that asked (HttpClient::fetch_detached).
[[nodiscard]] identity::JwksFetcher jwks_fetcher(outbound::HttpClient& client);

// The max-age directive of a Cache-Control value (RFC 9111 §5.2.2.1);
// nullopt when absent or not a number. no-store / no-cache give 0 (the
// cache clamps it to its minimum).
[[nodiscard]] std::optional<std::chrono::seconds> cache_control_max_age(std::string_view value);

}  // namespace archway::filters::auth
