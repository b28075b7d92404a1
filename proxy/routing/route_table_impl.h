#pragma once
// RouteTable's internals, shared by route_compile.cc (building) and
// route_table.cc (matching). Immutable once compile() returns.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "proxy/routing/match_conditions.h"
#include "proxy/routing/path_trie.h"
#include "proxy/routing/route_table.h"

namespace archway::routing {

// One Match of one Route: the unit of precedence. A route with three matches
// contributes three entries, each ranked on its own.
struct MatchEntry {
  uint32_t route = 0;  // index into Impl::routes
  config::PathMatchType type = config::PathMatchType::kPathPrefix;
  MatchConditions conditions;
  std::unique_ptr<RE2> regex;  // RegularExpression paths
  // RegularExpression paths: how many numbered groups the route's
  // rewrite.fullPath reads ({1}..{9}); 0 runs the cheaper match without them.
  int regex_groups = 0;
  std::vector<std::pair<uint32_t, std::string>> captures;  // Template: segment index → name
  // The route's policies.versioning (in the table's snapshot), and the one
  // version this match selects (Match::version; absent: any declared one).
  const config::Versioning* versioning = nullptr;
  std::optional<std::string> version;
};

struct VirtualHostTable {
  PathTrie literal;                 // Exact and PathPrefix entries
  PathTrie templates;               // Template entries ({name} = wildcard child)
  std::vector<MatchEntry> entries;  // sorted by precedence: index == rank
  // What a lookup reads of every candidate, by rank, 8 bytes each: most
  // entries have no condition, and then the (large) MatchEntry is never read.
  struct EntryHead {
    uint32_t route = 0;         // MatchEntry::route
    bool conditional = false;   // has methods, headers, query or version conditions
    bool single_label = false;  // Route::single_label_wildcard
  };
  std::vector<EntryHead> heads;
  // RegularExpression entries by rank, each with the literal text every
  // path it matches starts with (a pre-filter), kept contiguous with the
  // prefixes in one arena so scanning a host's regexes touches few cache lines.
  struct RegexRef {
    uint32_t rank = 0;
    uint32_t prefix_offset = 0;  // in regex_prefixes
    uint32_t prefix_length = 0;
  };
  std::vector<RegexRef> regexes;
  std::string regex_prefixes;
  bool has_single_label = false;  // some entry is single_label

  // `multi_label`: the host reached this table through a wildcard domain
  // that stands for more than one label, so single_label entries sit out.
  [[nodiscard]] std::optional<RouteMatch> match(const RequestHead& request,
                                                const std::vector<CompiledRoute>& routes,
                                                bool multi_label) const;
};

class RouteTable::Impl {
 public:
  std::vector<CompiledRoute> routes;  // one per snapshot Route, in snapshot order
  std::vector<VirtualHostTable> virtual_hosts;
  FlatStringMap exact_hosts;  // parent 0
  // "*.example.com" is stored as "example.com" and matches any host ending in
  // ".example.com" (one or more labels, as in Gateway API), longest first.
  FlatStringMap wildcard_hosts;
  uint32_t any_host = PathTrie::kNone;
  size_t entry_count = 0;

  // `multi_label` is set when a wildcard domain matched more than one label.
  [[nodiscard]] const VirtualHostTable* find_host(std::string_view host, bool& multi_label) const;
};

}  // namespace archway::routing
