#pragma once
// The cache key (docs/cache.md "Key"). The primary key is one string, built
// once per request: "G" (GET and HEAD share entries), scheme, normalised
// authority, path, normalised query, the rule's varyHeaders values, the
// identity (cacheAuthorizedRequests) and the route's fingerprint, so that a
// changed rule never serves what the old one stored. The response's Vary
// (secondary key, RFC 9111 §4.1) selects among the variants of one primary
// key.
//
// Beyond the first interface: normalize_authority() (keys and purges agree
// on the host) and vary_value().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/cache/entry.h"
#include "proxy/http/headers.h"

namespace archway::cache {

// Lower-cased, ":80" / ":443" dropped: the host part of keys and of purges.
[[nodiscard]] std::string normalize_authority(std::string_view authority);

// `path` is the route-matched path (before any rewrite), `query` without
// its '?'; percent-escapes in the query are compared with upper-case hex,
// parameter order is kept. `vary_headers` are the rule's lower-case names:
// each contributes the request's values joined with ", " (absent ≠ empty).
[[nodiscard]] std::string primary_key(std::string_view scheme, std::string_view authority,
                                      std::string_view path, std::string_view query,
                                      const http::Headers& request_headers,
                                      const std::vector<std::string>& vary_headers,
                                      std::string_view identity, uint64_t route_fingerprint);

// The request's value of a field as a Vary comparison sees it: every line
// joined with ", ", whitespace around it trimmed; kAbsent when absent.
[[nodiscard]] std::string vary_value(const http::Headers& request_headers, std::string_view name);

// The response's Vary names (every Vary field, lower-cased, deduplicated)
// with the request's values; nullopt for "Vary: *" (never matches, §4.1).
[[nodiscard]] std::optional<std::vector<std::pair<std::string, std::string>>> vary_values(
    const http::Headers& response_headers, const http::Headers& request_headers);

// The request selects this variant: each stored Vary name has the same
// value in the request as at fill time (§4.1).
[[nodiscard]] bool vary_matches(const Entry& entry, const http::Headers& request_headers);

}  // namespace archway::cache
