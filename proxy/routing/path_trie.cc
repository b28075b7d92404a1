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
    auto& children = nodes_[current].children;
    auto it = children.find(segments[i]);
    if (it != children.end()) {
      current = it->second;
      continue;
    }
    const auto next = static_cast<uint32_t>(nodes_.size());
    children.emplace(std::string(segments[i]), next);
    nodes_.emplace_back();
    current = next;
  }
  return current;
}

uint32_t PathTrie::literal_child(uint32_t index, std::string_view segment) const {
  const auto& children = nodes_[index].children;
  auto it = children.find(segment);
  return it == children.end() ? kNone : it->second;
}

void PathTrie::sort_entries() {
  for (Node& n : nodes_) {
    std::sort(n.exact.begin(), n.exact.end());
    std::sort(n.prefix.begin(), n.prefix.end());
    std::sort(n.templates.begin(), n.templates.end());
  }
}

}  // namespace archway::routing
