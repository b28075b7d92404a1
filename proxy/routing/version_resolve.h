#pragma once
// Which declared version a request asks for (docs/versioning.md
// "Resolution"): the route's sources in their declared order, the first
// that carries a version deciding; then the default. Pure: the matcher
// calls it for the candidates of versioned routes only, once per route.

#include "proxy/config/snapshot.h"  // policies/versioning.h
#include "proxy/routing/match_conditions.h"
#include "proxy/routing/version_resolution.h"

namespace archway::routing {

// Header: the first field of that name (value trimmed), if not empty.
// Accept: accept_version over every Accept field. QueryParam: the first
// parameter of that name, if not empty. PathSegment: the path's first
// segment when it is "<prefix><name>" and <name> is declared, or when what
// follows the prefix starts with a digit (then an unknown version): a
// segment like "/vendors" under prefix "v" is no version at all.
[[nodiscard]] VersionResolution resolve_version(const config::Versioning& versioning,
                                                RequestView& request);

}  // namespace archway::routing
