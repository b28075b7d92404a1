#pragma once
// What one part of an aggregate asks its cluster for (docs/aggregation.md
// "Part requests"): the path from the part's template and the client
// request headers the rule forwards. Pure; worker-thread callers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/config/policies/aggregate.h"
#include "proxy/http/headers.h"

namespace archway::filters::aggregate {

using Captures = std::vector<std::pair<std::string, std::string>>;

// `text` with each "{name}" replaced by that capture, percent-encoded: the
// RFC 3986 unreserved characters and an existing "%XX" stay, every other
// byte becomes "%XX", and a capture that is "." or ".." has its dots
// encoded, so a capture can never add a segment, a query parameter or a
// dot-segment to the part's path. A name with no capture (validation
// refuses it) becomes empty.
[[nodiscard]] std::string fill_part_path(std::string_view text, const Captures& captures);

// The client's fields of the aggregate's forward list, in the client's
// order, and Authorization only when forward_authorization is set.
[[nodiscard]] http::Headers forwarded_headers(const http::Headers& client,
                                              const config::Aggregate& aggregate);

}  // namespace archway::filters::aggregate
