#pragma once
// What the matcher found out about a versioned route's request
// (version_resolve.h decides it); carried in RouteMatch for the versioning
// filter. A plain value, no dependency on the route table.

#include <cstdint>
#include <string>

#include "proxy/config/snapshot.h"  // policies/versioning.h

namespace archway::routing {

struct VersionResolution {
  enum class Outcome : uint8_t {
    kResolved,  // a source named a declared version
    kDefault,   // no source carried one: the route's default
    kUnknown,   // a source named a version the route does not declare
    kMissing,   // no source carried one and the route has no default
  };
  Outcome outcome = Outcome::kMissing;
  // kResolved, kDefault: the declared name; kUnknown: what the request said.
  std::string version;
  // kResolved, kUnknown: where it came from (kUnknown from Accept → 406).
  config::VersionSourceType source = config::VersionSourceType::kHeader;
  // kResolved from a PathSegment source: the bytes of "/<prefix><version>"
  // at the start of the path, for `strip`.
  uint32_t path_segment_length = 0;

  [[nodiscard]] bool served() const {
    return outcome == Outcome::kResolved || outcome == Outcome::kDefault;
  }
};

}  // namespace archway::routing
