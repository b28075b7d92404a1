#pragma once
// A trie over path segments ("/v1/orders/42" → "v1", "orders", "42"), so a
// lookup costs one hash probe per request segment however many routes there
// are. Literal edges of all nodes live in one FlatStringMap keyed by
// (node, segment); a Template's "{name}" segment is the node's single
// wildcard child. Nodes live in one vector and refer to each other by index.
//
// Each node lists the match entries (indices into the virtual host's entry
// table, in precedence-rank order) that end there, by kind. The lists of all
// nodes are packed into one array and a node holds (offset, count) runs into
// it, so a node is 28 bytes with no heap block of its own: a lookup touches
// fewer cache lines than with three std::vectors per node.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/routing/flat_string_map.h"

namespace archway::routing {

class PathTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Ranks [begin, begin + count) of the packed array; see ranks().
  struct Run {
    uint32_t begin = 0;
    uint32_t count = 0;
  };
  struct Node {
    uint32_t wildcard = kNone;
    Run exact;      // Exact entries ending here
    Run prefix;     // PathPrefix entries ending here
    Run templates;  // Template entries ending here
  };
  enum class Kind : uint32_t { kExact = 0, kPrefix = 1, kTemplate = 2 };

  PathTrie() : nodes_(1) {}

  // Building. The node for `segments` (true in `wildcards` positions means a
  // wildcard step; `wildcards` may be empty), creating it.
  uint32_t insert(const std::vector<std::string_view>& segments,
                  const std::vector<bool>& wildcards);
  // Lists entry `rank` at `node` under `kind`. Ranks may come in any order.
  void add(uint32_t node, Kind kind, uint32_t rank);
  // Packs every node's lists, each sorted by rank. Call once, after the last add().
  void finish();

  // Lookup (after finish()).
  [[nodiscard]] const Node& node(uint32_t index) const { return nodes_[index]; }
  [[nodiscard]] std::span<const uint32_t> ranks(Run run) const {
    return {ranks_.data() + run.begin, run.count};
  }
  // `hash` is FlatStringMap::key_hash(segment), so a request segment is
  // hashed once for every trie it walks.
  [[nodiscard]] uint32_t literal_child(uint32_t index, std::string_view segment,
                                       uint64_t hash) const {
    return edges_.find(index, segment, hash);
  }
  // No entry at all (nothing to look for).
  [[nodiscard]] bool empty() const { return ranks_.empty() && pending_.empty(); }

 private:
  std::vector<Node> nodes_;
  FlatStringMap edges_;
  std::vector<uint32_t> ranks_;
  std::vector<uint64_t> pending_;  // node << 34 | kind << 32 | rank; until finish()
};

}  // namespace archway::routing
