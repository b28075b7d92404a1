#pragma once
// Pure helpers the network side applies once RouteTable::match has chosen a
// route: the weighted backend choice, the path rewrite and header edits.
// They belong with routing because they read what matching produced
// (captures, matched prefix) and nothing else.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/config/snapshot.h"
#include "proxy/routing/route_table.h"

namespace archway::routing {

// The backend for `random` (any 64-bit value, e.g. from a per-worker PRNG) by
// cumulative weights: backend i is chosen with probability weight_i / total.
// nullptr when the route has no backend with weight (redirect, direct response).
[[nodiscard]] const config::WeightedBackend* pick_backend(const CompiledRoute& route,
                                                          uint64_t random);

// The path to send to the backend (docs/routing.md "Rewrites"):
//  - rewrite.fullPath: the whole path, with each "{name}" replaced by its capture;
//  - rewrite.pathPrefix: the matched prefix replaced, the rest kept, with '/'
//    handled like Gateway API's ReplacePrefixMatch (never "//", never "");
//  - neither: `path` unchanged.
// `path` is the normalised request path the match ran on.
[[nodiscard]] std::string rewrite_path(const RouteMatch& match, std::string_view path);

}  // namespace archway::routing
