#pragma once
// The route's aggregate action as a filter (docs/aggregation.md): the last
// of the chain, after auth, rate limit, cache lookup and request
// transformation, it fetches the parts in parallel through the worker's
// outbound client and answers locally with their merged JSON, so the
// cache stores that answer and the other policies apply to it as to any
// response. The only header of filters/aggregate/ the registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route has no aggregate.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_aggregate_filter(const config::Route& route);

}  // namespace archway::filters
