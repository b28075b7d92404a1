#pragma once
// An immutable-after-build map from (parent id, string) to a uint32_t,
// stored as one open-addressing table plus one byte arena. It holds every
// edge of a path trie (parent = node, string = segment) and the host
// indexes (parent = 0).
//
// Why not std::unordered_map per node: route_bench at 10k routes spent 25 %
// of its lookup time chasing unordered_map nodes (one heap node per entry,
// one map per trie node); here a probe is one slot read plus one compare
// against the arena.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archway::routing {

class FlatStringMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Returns the value stored for (parent, key), inserting `value` if absent.
  uint32_t insert(uint32_t parent, std::string_view key, uint32_t value);
  [[nodiscard]] uint32_t find(uint32_t parent, std::string_view key) const;
  [[nodiscard]] bool empty() const { return size_ == 0; }

 private:
  // Keys up to kInline bytes (most path segments and many host names) are
  // stored in the slot itself, so a hit costs one cache line, not two.
  static constexpr size_t kInline = 20;
  struct Slot {
    uint64_t hash = 0;
    uint32_t parent = 0;
    uint32_t value = kNone;  // kNone: empty slot
    uint32_t length = 0;
    union {
      char inline_key[kInline];
      uint32_t offset;  // length > kInline: key bytes in arena_
    };
    Slot() : inline_key{} {}
  };
  static_assert(sizeof(Slot) == 40);
  [[nodiscard]] std::string_view key_of(const Slot& s) const {
    return s.length <= kInline ? std::string_view(s.inline_key, s.length)
                               : std::string_view(arena_.data() + s.offset, s.length);
  }
  static uint64_t hash(uint32_t parent, std::string_view key);
  void grow();

  std::vector<Slot> slots_;  // size is a power of two; load ≤ 1/2
  std::string arena_;
  size_t size_ = 0;
};

}  // namespace archway::routing
