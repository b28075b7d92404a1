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

void PathTrie::add(uint32_t node, Kind kind, uint32_t rank) {
  pending_.push_back(static_cast<uint64_t>(node) << 34 | static_cast<uint64_t>(kind) << 32 |
                     rank);
}

void PathTrie::finish() {
  // Sorted by (node, kind, rank): each node's lists become adjacent runs.
  std::sort(pending_.begin(), pending_.end());
  ranks_.clear();
  ranks_.reserve(pending_.size());
  for (const uint64_t p : pending_) {
    Node& n = nodes_[static_cast<uint32_t>(p >> 34)];
    const auto kind = static_cast<Kind>((p >> 32) & 3);
    Run& run = kind == Kind::kExact ? n.exact : kind == Kind::kPrefix ? n.prefix : n.templates;
    if (run.count == 0) run.begin = static_cast<uint32_t>(ranks_.size());
    ranks_.push_back(static_cast<uint32_t>(p));
    ++run.count;
  }
  pending_.clear();
  pending_.shrink_to_fit();
}

}  // namespace archway::routing
