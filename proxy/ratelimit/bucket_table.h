#pragma once
// The buckets of one limit, per process (docs/ratelimit.md "Local limits"):
// shared by every worker thread, so two workers can never let through twice
// the limit. Sharded by key, one short lock per decision (a hash probe and
// one GCRA step). Memory is bounded: past `max_keys` the least recently
// used key is forgotten, full buckets first (forgetting a full bucket
// changes nothing); forgetting a bucket that still holds debt lets that key
// start over, which is counted so an operator can raise the cap.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/ratelimit/gcra.h"

namespace archway::ratelimit {

class BucketTable {
 public:
  static constexpr size_t kShards = 16;

  BucketTable(GcraLimit limit, size_t max_keys);
  BucketTable(const BucketTable&) = delete;
  BucketTable& operator=(const BucketTable&) = delete;

  // One request for `key` at `now_ns` (wall-clock nanoseconds).
  Decision take(std::string_view key, int64_t now_ns);

  [[nodiscard]] const GcraLimit& limit() const { return limit_; }
  [[nodiscard]] size_t size() const;
  // Keys forgotten for room, and among them those whose bucket was not full.
  [[nodiscard]] uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t evictions_with_debt() const {
    return evictions_with_debt_.load(std::memory_order_relaxed);
  }

  // The buckets that still hold debt at `now_ns`, to persist long windows
  // across a restart (a full bucket needs no record), and their restore.
  struct Saved {
    std::string key;
    int64_t tat = 0;
  };
  [[nodiscard]] std::vector<Saved> buckets_with_debt(int64_t now_ns) const;
  void restore(const std::vector<Saved>& saved, int64_t now_ns);

 private:
  struct Bucket {
    std::string key;
    int64_t tat = 0;
  };
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Lru = std::list<Bucket>;  // front: most recently used
  struct Shard {
    mutable std::mutex mutex;
    Lru lru;
    std::unordered_map<std::string_view, Lru::iterator, KeyHash, std::equal_to<>> index;
  };

  Shard& shard_for(std::string_view key);
  // Makes room for one more key in `shard` (its mutex held).
  void evict_one(Shard& shard, int64_t now_ns);

  const GcraLimit limit_;
  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> evictions_with_debt_{0};
};

}  // namespace archway::ratelimit
