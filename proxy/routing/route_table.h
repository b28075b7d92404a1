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
#include "proxy/config/validated_snapshot.h"
#include "proxy/routing/version_resolution.h"

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

// A route after compile: what matching derived, plus the snapshot's Route it
// came from (actions, policies, metrics labels).
//
// `route` refers into the table's own snapshot rather than copying it (a
// copy per route was half of the table's memory). Why it cannot dangle: the
// RouteTable holds that snapshot (a std::shared_ptr<const Snapshot> shared
// only with the ValidatedSnapshot it came from, which is immutable too, so no
// one can change it; released after the compiled routes), and
// every CompiledRoute lives inside the table. So a CompiledRoute, and the
// Route it refers to, is valid exactly as long as its RouteTable — the rule
// RouteMatch::route always had: hold the std::shared_ptr<const RouteTable>
// (a request pins it) for as long as you use either.
struct CompiledRoute {
  const config::Route& route;  // in RouteTable::snapshot(); lives as long as the table
  size_t virtual_host_index = 0;
  // Position in RouteTable::routes(): what per-route data compiled beside
  // the table (the filter chains of exchange::TableContext) is indexed by.
  size_t index = 0;
  std::vector<uint32_t> cumulative_weights;  // for weighted backend choice
  uint32_t total_weight = 0;
};

struct RouteMatch {
  const CompiledRoute* route = nullptr;  // owned by the table; valid while the table is
  // Template captures ({id} → "42") and the matched prefix, for rewrites.
  std::vector<std::pair<std::string, std::string>> captures;
  std::string_view matched_prefix;  // PathPrefix routes: the part of path matched
  // Routes with policies.versioning: the request's version, or why it has
  // none (the versioning filter answers 400/406 then). Unset otherwise.
  std::optional<VersionResolution> version;
};

class RouteTable {
 public:
  // Compiles a snapshot that validate_snapshot (or parse_snapshot_*)
  // already checked: it accepts nothing else, and does not check again.
  // Never throws; errors name the snapshot field. The table shares the
  // validated, immutable Snapshot (see snapshot()) rather than copying it;
  // the caller's ValidatedSnapshot may be destroyed afterwards.
  [[nodiscard]] static Result<std::shared_ptr<const RouteTable>> compile(
      const config::ValidatedSnapshot& snapshot);

  // Returns nullopt when no virtual host or no route matches (→ 404).
  // Thread-safe: the table is immutable.
  [[nodiscard]] std::optional<RouteMatch> match(const RequestHead& request) const;

  // Number of routes compiled (each Match of a Route counts once).
  [[nodiscard]] size_t size() const;

  // Every compiled route, one per snapshot Route, in snapshot order
  // (CompiledRoute::index is the position here).
  [[nodiscard]] std::span<const CompiledRoute> routes() const;

  // The snapshot this table was compiled from; valid as long as the table.
  const config::Snapshot& snapshot() const { return *snapshot_; }

  class Impl;
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

 private:
  explicit RouteTable(std::shared_ptr<const config::Snapshot> snapshot);
  // Never null, never reassigned, never shared outside the table. Declared
  // before impl_ so it is destroyed after it: impl_'s CompiledRoutes refer
  // into it.
  const std::shared_ptr<const config::Snapshot> snapshot_;
  std::unique_ptr<Impl> impl_;
};

// Strips port and trailing dot, lowercases: "API.Example.com.:8443" → "api.example.com".
[[nodiscard]] std::string normalize_host(std::string_view authority);

}  // namespace archway::routing
