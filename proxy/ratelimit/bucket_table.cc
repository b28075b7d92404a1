#include "proxy/ratelimit/bucket_table.h"

#include <algorithm>

namespace archway::ratelimit {

BucketTable::BucketTable(GcraLimit limit, size_t max_keys)
    : limit_(limit), per_shard_(std::max<size_t>(max_keys / kShards, 1)) {}

BucketTable::Shard& BucketTable::shard_for(std::string_view key) {
  // The high bits pick the shard; the map inside uses the low ones.
  return shards_[(KeyHash{}(key) >> 56) % kShards];
}

Decision BucketTable::take(std::string_view key, int64_t now_ns) {
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.index.find(key); it != shard.index.end()) {
    // Most recently used to the front: a splice moves no element.
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return ratelimit::take(it->second->tat, now_ns, limit_);
  }
  if (shard.index.size() >= per_shard_) evict_one(shard, now_ns);
  shard.lru.push_front(Bucket{std::string(key), 0});
  Bucket& bucket = shard.lru.front();
  // The index keys view the list's own string: it never moves (a list
  // node keeps its address until erased, and the index entry goes first).
  shard.index.emplace(std::string_view(bucket.key), shard.lru.begin());
  return ratelimit::take(bucket.tat, now_ns, limit_);
}

void BucketTable::evict_one(Shard& shard, int64_t now_ns) {
  // A full bucket near the cold end is free to forget; look a few entries
  // up from the tail for one before giving up a bucket with debt.
  constexpr int kLookBack = 8;
  auto victim = std::prev(shard.lru.end());
  auto it = victim;
  for (int i = 0; i < kLookBack; ++i) {
    if (is_full(it->tat, now_ns, limit_)) {
      victim = it;
      break;
    }
    if (it == shard.lru.begin()) break;
    --it;
  }
  if (!is_full(victim->tat, now_ns, limit_)) {
    evictions_with_debt_.fetch_add(1, std::memory_order_relaxed);
  }
  evictions_.fetch_add(1, std::memory_order_relaxed);
  shard.index.erase(std::string_view(victim->key));
  shard.lru.erase(victim);
}

size_t BucketTable::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.index.size();
  }
  return total;
}

std::vector<BucketTable::Saved> BucketTable::buckets_with_debt(int64_t now_ns) const {
  std::vector<Saved> out;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const Bucket& bucket : shard.lru) {
      if (!is_full(bucket.tat, now_ns, limit_)) out.push_back({bucket.key, bucket.tat});
    }
  }
  return out;
}

void BucketTable::restore(const std::vector<Saved>& saved, int64_t now_ns) {
  for (const Saved& entry : saved) {
    if (is_full(entry.tat, now_ns, limit_)) continue;
    Shard& shard = shard_for(entry.key);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.index.find(std::string_view(entry.key)); it != shard.index.end()) {
      it->second->tat = std::max(it->second->tat, entry.tat);
      continue;
    }
    if (shard.index.size() >= per_shard_) evict_one(shard, now_ns);
    shard.lru.push_back(Bucket{entry.key, entry.tat});
    shard.index.emplace(std::string_view(shard.lru.back().key), std::prev(shard.lru.end()));
  }
}

}  // namespace archway::ratelimit
