#pragma once
// Cache-Control directives (RFC 9111 §5.2) of a response and of a request.
// Every Cache-Control field of the head is read, as one comma-separated list
// (§5.2: a recipient combines them); names are case-insensitive; arguments
// may be tokens or quoted strings; directives we do not know are ignored
// (§5.2.3). When a directive appears twice, its first occurrence counts
// (§4.2.1). A delta-seconds that is not one makes its directive absent,
// except max-age, which then counts as 0 (stale) so that a response we
// cannot read is never served as fresh (§1.2.2, §4.2.1). A delta-seconds
// too large for 31 bits is 2^31 (§1.2.2).
//
// Beyond the first interface: the field lists of a qualified no-cache and
// private.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proxy/http/headers.h"

namespace archway::cache {

struct ResponseDirectives {
  bool no_store = false;
  bool no_cache = false;  // unqualified only: "no-cache" without field names
  bool private_ = false;  // unqualified only
  bool public_ = false;
  bool must_revalidate = false;
  bool proxy_revalidate = false;
  bool immutable = false;
  std::optional<std::chrono::seconds> max_age, s_maxage, stale_while_revalidate, stale_if_error;
  // The qualified forms (§5.2.2.4, §5.2.2.7): the response may be stored
  // without these fields (lower-cased names).
  std::vector<std::string> no_cache_fields, private_fields;
};

struct RequestDirectives {
  bool no_store = false;
  bool no_cache = false;  // also `Pragma: no-cache` when the request has no Cache-Control (§5.4)
  bool only_if_cached = false;
  std::optional<std::chrono::seconds> max_age, min_fresh;
  bool max_stale_any = false;  // "max-stale" without a value: any staleness
  std::optional<std::chrono::seconds> max_stale;
};

[[nodiscard]] ResponseDirectives parse_response_directives(const http::Headers& headers);
[[nodiscard]] RequestDirectives parse_request_directives(const http::Headers& headers);

}  // namespace archway::cache
