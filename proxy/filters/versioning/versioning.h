#pragma once
// API version negotiation as a filter (docs/versioning.md). The matcher
// resolved the request's version (RouteMatch::version); this filter answers
// what has no usable version (400, or 406 when it came from Accept), a
// version inside a brownout window (410), strips a PathSegment version
// before forwarding, counts requests per version and adds Deprecation,
// Sunset and Link to every response of a deprecated version. The only
// header of filters/versioning/ the registry may name.

#include <chrono>
#include <functional>
#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// The wall clock a brownout window is read against; tests inject theirs.
using VersionClock = std::function<std::chrono::sys_seconds()>;

// Null when the route has no policies.versioning. Compiled once per
// snapshot; stateless per exchange (no allocation).
[[nodiscard]] std::unique_ptr<const FilterConfig> make_versioning_filter(const config::Route& route,
                                                                         VersionClock clock = {});

}  // namespace archway::filters
