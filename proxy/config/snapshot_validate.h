#pragma once
// Internal to validate_snapshot: the per-route checks, split from the
// document-level ones to keep each file about one thing.

#include <string>
#include <unordered_set>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::config {

struct RouteContext {
  const std::unordered_set<std::string>* clusters = nullptr;  // names defined in the snapshot
  std::unordered_set<std::string>* route_names = nullptr;     // names seen so far
};

[[nodiscard]] Result<void> validate_route(const Route& route, const std::string& path,
                                          RouteContext& context);

}  // namespace archway::config
