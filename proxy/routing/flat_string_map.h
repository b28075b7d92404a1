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
//
// The hash is split in two so a caller probing several maps with the same
// key (a request segment in the literal and the template trie) hashes its
// bytes once: key_hash(key) over the bytes, then a cheap mix with the parent.
// It is a fast non-cryptographic hash; that is safe here because the keys
// are the snapshot's (the controller's), never a client's: a request only
// probes, and probe lengths depend on the table alone.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace archway::routing {

class FlatStringMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Hash of the key's bytes alone, for the find() overload below.
  [[nodiscard]] static uint64_t key_hash(std::string_view key) {
    const auto* p = reinterpret_cast<const unsigned char*>(key.data());
    const size_t n = key.size();
    uint64_t a = 0;
    uint64_t b = 0;
    if (n > 16) {
      // 16-byte blocks, then the last 16 bytes (overlapping the last block).
      uint64_t acc = 0x243F6A8885A308D3ULL;
      for (size_t i = 0; i + 16 < n; i += 16) {
        acc = mix(load64(p + i) ^ acc, load64(p + i + 8) ^ kK1);
      }
      a = load64(p + n - 16) ^ acc;
      b = load64(p + n - 8);
    } else if (n >= 8) {
      a = load64(p);
      b = load64(p + n - 8);  // overlaps `a` when n < 16
    } else if (n >= 4) {
      a = load32(p);
      b = load32(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(p[0]) << 16) | (static_cast<uint64_t>(p[n >> 1]) << 8) | p[n - 1];
    }
    return mix(a ^ kK1, b ^ kK2 ^ n);
  }

  // Returns the value stored for (parent, key), inserting `value` if absent.
  uint32_t insert(uint32_t parent, std::string_view key, uint32_t value);
  [[nodiscard]] uint32_t find(uint32_t parent, std::string_view key) const {
    return find(parent, key, key_hash(key));
  }
  // `hash` must be key_hash(key).
  [[nodiscard]] uint32_t find(uint32_t parent, std::string_view key, uint64_t hash) const {
    if (slots_.empty()) return kNone;
    const uint64_t h = slot_hash(parent, hash);
    const auto tag = static_cast<uint32_t>(h >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.tag == tag && s.parent == parent && s.length == key.size() && key_of(s) == key) {
        return s.value;
      }
    }
  }
  [[nodiscard]] bool empty() const { return size_ == 0; }

 private:
  static constexpr uint64_t kK1 = 0xA0761D6478BD642FULL;
  static constexpr uint64_t kK2 = 0xE7037ED1A0B428DBULL;
  static uint64_t load64(const unsigned char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint64_t load32(const unsigned char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint64_t mix(uint64_t a, uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  }
  static uint64_t slot_hash(uint32_t parent, uint64_t key_hash) {
    return mix(key_hash ^ kK2, (static_cast<uint64_t>(parent) + 1) * 0x9E3779B97F4A7C15ULL);
  }

  // Keys up to kInline bytes (most path segments) are stored in the slot
  // itself, so a hit costs one cache line, not two; 32-byte slots never
  // straddle a cache line, and a probe's next slot is often in the same one.
  static constexpr size_t kInline = 16;
  struct alignas(32) Slot {
    uint32_t tag = 0;  // high half of the slot hash
    uint32_t parent = 0;
    uint32_t value = kNone;  // kNone: empty slot
    uint32_t length = 0;
    union {
      char inline_key[kInline];
      uint32_t offset;  // length > kInline: key bytes in arena_
    };
    Slot() : inline_key{} {}
  };
  static_assert(sizeof(Slot) == 32);
  [[nodiscard]] std::string_view key_of(const Slot& s) const {
    return s.length <= kInline ? std::string_view(s.inline_key, s.length)
                               : std::string_view(arena_.data() + s.offset, s.length);
  }
  void grow();

  std::vector<Slot> slots_;  // size is a power of two; load ≤ 1/2
  std::string arena_;
  size_t size_ = 0;
};

}  // namespace archway::routing
