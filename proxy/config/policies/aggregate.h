#pragma once
// The `aggregate` policy as the snapshot carries it (docs/snapshot.md
// "aggregate", docs/aggregation.md). It is the route's action: a route with
// `aggregate` has no backends, redirect or directResponse. Parts name
// clusters of the snapshot.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace archway::config {

enum class PartialFailure { kFail, kOmit };

struct AggregatePart {
  std::string name;     // key in the composed object; [A-Za-z_][A-Za-z0-9_-]*, distinct
  std::string cluster;  // Cluster::name
  std::string path;     // path and query; "{name}" takes a Template capture
  // From the part's request to the last byte of its answer; 1 ms..60 s.
  std::chrono::milliseconds timeout{5000};
  // Unset: the aggregate's onPartialFailure decides (Fail → required).
  std::optional<bool> required{};
  uint64_t max_body_bytes = 1048576;  // 1..8 MiB; a larger body is a part failure

  bool operator==(const AggregatePart&) const = default;
};

// What a part gets of the client's request when the rule names no list.
// Authorization is never in a list: forward_authorization says.
inline constexpr const char* kDefaultAggregateForwardHeaders[] = {"accept-language", "traceparent",
                                                                  "tracestate", "x-request-id"};

struct Aggregate {
  std::vector<AggregatePart> parts;  // 1..8
  PartialFailure on_partial_failure = PartialFailure::kFail;
  // Client request headers copied to every part, lower case, distinct, at
  // most 16; "authorization" is not allowed here.
  std::vector<std::string> forward_headers{std::begin(kDefaultAggregateForwardHeaders),
                                           std::end(kDefaultAggregateForwardHeaders)};
  bool forward_authorization = false;  // also copy the client's Authorization

  // A failure of this part fails the whole response (502).
  [[nodiscard]] bool is_required(const AggregatePart& part) const {
    return part.required.value_or(on_partial_failure == PartialFailure::kFail);
  }

  bool operator==(const Aggregate&) const = default;
};

}  // namespace archway::config
