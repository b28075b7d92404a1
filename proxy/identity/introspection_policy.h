#pragma once
// What a route's `auth.oauth2Introspection` asks of a token and of the
// cache, in the form the core takes (docs/auth.md "OAuth2 token
// introspection"). The filter builds one per snapshot from the typed policy.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace archway::identity {

struct IntrospectionPolicy {
  std::string endpoint;  // RFC 7662 endpoint URL
  std::string client_id;
  std::string client_secret;
  // Every one must be among the answer's `scope`, else insufficient_scope.
  std::vector<std::string> required_scopes;
  // `aud` must name one of these; empty: not checked. The filter checks
  // the route's audiences on the shared answer and leaves this empty, as
  // required_scopes (introspector_registry.h).
  std::vector<std::string> audiences;
  // Tolerance for exp, nbf and iat against the proxy's clock.
  std::chrono::seconds clock_skew{60};
  // An active answer is reused for min(cache_ttl, exp - now); 0: no cache
  // (concurrent lookups are still coalesced).
  std::chrono::milliseconds cache_ttl{30000};
  // An inactive answer is reused for min(cache_ttl, negative_cache_ttl):
  // shorter, because a token just issued may not be known yet to every
  // replica of the identity provider.
  std::chrono::milliseconds negative_cache_ttl{5000};
  // While the endpoint fails, an active answer whose cache_ttl has run out
  // still stands for this long (never past the token's exp). 0: off, fail
  // closed at once.
  std::chrono::milliseconds stale_grace{0};
  // Longer tokens are refused without asking the endpoint.
  size_t max_token_bytes = 16 * 1024;
};

}  // namespace archway::identity
