#pragma once
// The spellings of snapshot enums in JSON (DESIGN.md §2), shared by the
// decoder and to_json so the two can never disagree.

#include <optional>
#include <string_view>

#include "proxy/config/snapshot.h"

namespace archway::config {

[[nodiscard]] std::string_view to_string(PathMatchType type);
[[nodiscard]] std::string_view to_string(ValueMatchType type);
[[nodiscard]] std::string_view to_string(ClusterProtocol protocol);

[[nodiscard]] std::optional<PathMatchType> path_match_type(std::string_view name);
[[nodiscard]] std::optional<ValueMatchType> value_match_type(std::string_view name);
[[nodiscard]] std::optional<ClusterProtocol> cluster_protocol(std::string_view name);

// The policy keys a route may carry (policies/route_policies.h has one typed
// member per key).
// The one list: the proxy's decoder and the controller's APIRoute translation
// both read it (the controller reports unenforced policies in this order).
inline constexpr std::string_view kPolicyNames[] = {
    "retries", "circuitBreaker", "auth",       "rateLimit",   "cache",
    "cors",    "aggregate",      "versioning", "requestBody", "responseBody"};

}  // namespace archway::config
