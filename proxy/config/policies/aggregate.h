#pragma once
// The `aggregate` policy as the snapshot carries it (docs/snapshot.md
// "aggregate"). It is the route's action: a route with `aggregate` has no
// backends, redirect or directResponse. Parts name clusters of the snapshot.

#include <string>
#include <vector>

namespace archway::config {

enum class PartialFailure { kFail, kOmit };

struct AggregatePart {
  std::string name;     // key in the composed object; [A-Za-z_][A-Za-z0-9_-]*, distinct
  std::string cluster;  // Cluster::name
  std::string path;     // path and query; "{name}" takes a Template capture

  bool operator==(const AggregatePart&) const = default;
};

struct Aggregate {
  std::vector<AggregatePart> parts;  // 1..8
  PartialFailure on_partial_failure = PartialFailure::kFail;

  bool operator==(const Aggregate&) const = default;
};

}  // namespace archway::config
