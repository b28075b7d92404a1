#pragma once
// Conditional requests answered from a stored entry (RFC 9111 §4.3.2,
// RFC 9110 §13.2.2 order).

#include "proxy/cache/entry.h"
#include "proxy/http/headers.h"

namespace archway::cache {

// True when the request's preconditions say the client's copy is current,
// so a 304 answers it: If-None-Match, when present, decides alone (weak
// comparison, "*" matches any entry, §13.1.2); otherwise If-Modified-Since
// (§13.1.3) against Last-Modified, else the entry's Date, else when it was
// received (§4.3.2). Only a 2xx entry is ever "not modified" (§13.2.1:
// preconditions apply to what would be a 2xx); an invalid date is ignored.
[[nodiscard]] bool not_modified(const Entry& entry, const http::Headers& request_headers);

}  // namespace archway::cache
