#include "proxy/routing/path_trie.h"

#include <algorithm>

namespace archway::routing {

uint32_t PathTrie::insert(const std::vector<std::string_view>& segments,
                          const std::vector<bool>& wildcards) {
  uint32_t current = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!wildcards.empty() && wildcards[i]) {
      if (nodes_[current].wildcard == kNone) {
        const auto next = static_cast<uint32_t>(nodes_.size());
        nodes_[current].wildcard = next;
        nodes_.emplace_back();  // may reallocate: re-index, never hold references
      }
      current = nodes_[current].wildcard;
      continue;
    }
    const auto fresh = static_cast<uint32_t>(nodes_.size());
    const uint32_t next = edges_.insert(current, segments[i], fresh);
    if (next == fresh) nodes_.emplace_back();
    current = next;
  }
  return current;
}

void PathTrie::sort_entries() {
  for (Node& n : nodes_) {
    std::sort(n.exact.begin(), n.exact.end());
    std::sort(n.prefix.begin(), n.prefix.end());
    std::sort(n.templates.begin(), n.templates.end());
  }
}

}  // namespace archway::routing
