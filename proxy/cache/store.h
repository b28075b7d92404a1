#pragma once
// The process's one cache (docs/cache.md "Memory"): shared by every worker,
// bounded in bytes. 16 shards by key hash, each with its own mutex, its own
// LRU list and a 16th of the budget; a lock is held only to find and bump,
// or to insert and evict, never while a body is copied or sent: entries are
// shared_ptr<const Entry> and whoever holds one keeps it alive (an evicted
// or purged entry being served finishes from its copy).
//
// A primary key holds up to kMaxVariants variants (response Vary, §4.1);
// one more replaces its oldest. Thread-safe.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "proxy/cache/entry.h"
#include "proxy/http/headers.h"

namespace archway::cache {

class Store {
 public:
  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxVariants = 8;

  explicit Store(uint64_t max_bytes);
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The newest variant of `key` that `request_headers` select, bumped to
  // the front of its LRU; nullptr when none. Fresh or stale: the caller
  // decides (entry.h). `key_stored`, when given, says whether the key has
  // any variant at all: a miss on a stored key is RFC 9211's vary-miss.
  [[nodiscard]] std::shared_ptr<const Entry> find(std::string_view key,
                                                  const http::Headers& request_headers,
                                                  bool* key_stored = nullptr);
  // Stores `entry`, replacing the variant of its key with the same Vary
  // values, then evicts least recently used entries of its shard until the
  // shard is within its budget. An entry larger than a shard's budget is
  // not stored, and the variant it would replace is dropped (it is older
  // than what the backend just said).
  void insert(std::shared_ptr<const Entry> entry);
  // Drops every variant of `key`.
  void erase(std::string_view key);
  // Drops the entries of `host` (normalised as keys are, cache_key.h)
  // whose path is `path`, or starts with it when `prefix`; every variant
  // and query. Returns how many were dropped.
  size_t purge(std::string_view host, std::string_view path, bool prefix);
  // Drops the entries whose route fingerprint is not in `live` (after a
  // snapshot swap: what a removed or changed rule stored).
  void retain(const std::unordered_set<uint64_t>& live);

  [[nodiscard]] uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t entries() const { return entries_.load(std::memory_order_relaxed); }
  // Entries dropped to make room (not replacements, purges or retains).
  [[nodiscard]] uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t max_bytes() const { return max_bytes_; }

 private:
  using Lru = std::list<std::shared_ptr<const Entry>>;  // front: most recently used
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    std::mutex mutex;
    Lru lru;
    // key → its variants' LRU nodes, oldest first.
    std::unordered_map<std::string, std::vector<Lru::iterator>, KeyHash, std::equal_to<>> index;
    uint64_t bytes = 0;
  };

  Shard& shard_of(std::string_view key);
  // Unlinks one variant; the shard's lock is held.
  void unlink(Shard& shard, Lru::iterator node);
  // Drops the entries `drop` selects; returns how many.
  size_t drop_if(const std::function<bool(const Entry&)>& drop);

  const uint64_t max_bytes_;
  const uint64_t shard_budget_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> bytes_{0}, entries_{0}, evictions_{0};
};

}  // namespace archway::cache
