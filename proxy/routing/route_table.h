#pragma once
// The compiled, immutable route table (DESIGN.md §1 Proxy, STYLE.md habits
// 1-3). Built once per snapshot off the hot path by RouteTable::compile, then
// shared as std::shared_ptr<const RouteTable>; a request keeps the pointer it
// started with, so a swap never changes a request in flight.
//
// Lookup cost: host by hash (exact), then by longest wildcard suffix (hash per
// label boundary), then the "*" host; path by a per-host prefix trie over path
// segments, regexes only where a route asks for them (compiled once here).
//
// Precedence (docs/routing.md), most specific first:
//   1. Exact path
//   2. Template path (/v1/orders/{id}); more literal segments first
//   3. RegularExpression path, in snapshot order
//   4. PathPrefix, longest prefix first (segment-aware: /foo matches /foo and
//      /foo/bar, never /foobar)
// then, for equal paths: more header matches, more query matches, a method
// list over none, and finally snapshot order. A candidate whose methods,
// headers or query do not match is skipped and the next one is tried.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::routing {

// A request header as the codec saw it; names are lowercase (HTTP/2 requires
// it; the HTTP/1 codec lowercases).
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// What the matcher needs of a request. All views point into the request's own
// storage and stay valid for the duration of the match call.
struct RequestHead {
  std::string_view method;
  std::string_view host;   // :authority / Host, port and trailing dot removed, lowercase
  std::string_view path;   // without the query string; already normalised
  std::string_view query;  // after '?', without it; may be empty
  std::span<const HeaderField> headers;
};

// A route after compile: the snapshot's Route plus what matching derived.
struct CompiledRoute {
  config::Route route;                // the source, for actions and policies
  size_t virtual_host_index = 0;
  std::vector<uint32_t> cumulative_weights;  // for weighted backend choice
  uint32_t total_weight = 0;
};

struct RouteMatch {
  const CompiledRoute* route = nullptr;  // owned by the table
  // Template captures ({id} → "42") and the matched prefix, for rewrites.
  std::vector<std::pair<std::string, std::string>> captures;
  std::string_view matched_prefix;        // PathPrefix routes: the part of path matched
};

class RouteTable {
 public:
  // Validates and compiles. Never throws; errors name the snapshot field.
  [[nodiscard]] static Result<std::shared_ptr<const RouteTable>> compile(
      const config::Snapshot& snapshot);

  // Returns nullopt when no virtual host or no route matches (→ 404).
  // Thread-safe: the table is immutable.
  [[nodiscard]] std::optional<RouteMatch> match(const RequestHead& request) const;

  // Number of routes compiled (each Match of a Route counts once).
  [[nodiscard]] size_t size() const;

  const config::Snapshot& snapshot() const { return snapshot_; }

  class Impl;
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

 private:
  RouteTable(config::Snapshot snapshot, std::unique_ptr<Impl> impl);
  config::Snapshot snapshot_;
  std::unique_ptr<Impl> impl_;
};

// Strips port and trailing dot, lowercases: "API.Example.com.:8443" → "api.example.com".
[[nodiscard]] std::string normalize_host(std::string_view authority);

}  // namespace archway::routing
