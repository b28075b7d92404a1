#pragma once
// A trie over path segments ("/v1/orders/42" → "v1", "orders", "42"), so a
// lookup costs one hash probe per request segment however many routes there
// are. Literal edges of all nodes live in one FlatStringMap keyed by
// (node, segment); a Template's "{name}" segment is the node's single
// wildcard child. Nodes live in one vector and refer to each other by index.
//
// Each node lists the match entries (indices into the virtual host's entry
// table, kept sorted by precedence rank) that end there, by kind.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/routing/flat_string_map.h"

namespace archway::routing {

class PathTrie {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Node {
    uint32_t wildcard = kNone;
    std::vector<uint32_t> exact;     // Exact entries ending here
    std::vector<uint32_t> prefix;    // PathPrefix entries ending here
    std::vector<uint32_t> templates; // Template entries ending here
  };

  PathTrie() : nodes_(1) {}

  // The node for `segments` ("" in `wildcards` positions means a wildcard
  // step), creating it.
  uint32_t insert(const std::vector<std::string_view>& segments,
                  const std::vector<bool>& wildcards);
  Node& node(uint32_t index) { return nodes_[index]; }
  [[nodiscard]] const Node& node(uint32_t index) const { return nodes_[index]; }
  [[nodiscard]] uint32_t literal_child(uint32_t index, std::string_view segment) const {
    return edges_.find(index, segment);
  }
  [[nodiscard]] bool empty() const { return nodes_.size() == 1 && nodes_[0].exact.empty() &&
                                            nodes_[0].prefix.empty() &&
                                            nodes_[0].templates.empty(); }
  // Sorts every node's entry lists (entries are ranked after insertion).
  void sort_entries();

 private:
  std::vector<Node> nodes_;
  FlatStringMap edges_;
};

}  // namespace archway::routing
