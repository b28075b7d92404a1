#include "proxy/cache/store.h"

#include <algorithm>

#include "proxy/cache/cache_key.h"

namespace archway::cache {

Store::Store(uint64_t max_bytes) : max_bytes_(max_bytes), shard_budget_(max_bytes / kShards) {}

Store::Shard& Store::shard_of(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void Store::unlink(Shard& shard, Lru::iterator node) {
  const Entry& entry = **node;
  const uint64_t size = entry.bytes();
  auto it = shard.index.find(std::string_view(entry.key));
  if (it != shard.index.end()) {
    auto& variants = it->second;
    variants.erase(std::find(variants.begin(), variants.end(), node));
    if (variants.empty()) shard.index.erase(it);
  }
  shard.bytes -= size;
  bytes_.fetch_sub(size, std::memory_order_relaxed);
  entries_.fetch_sub(1, std::memory_order_relaxed);
  shard.lru.erase(node);
}

std::shared_ptr<const Entry> Store::find(std::string_view key, const http::Headers& request_headers,
                                         bool* key_stored) {
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(key);
  if (key_stored != nullptr) *key_stored = it != shard.index.end();
  if (it == shard.index.end()) return nullptr;
  const auto& variants = it->second;
  for (auto v = variants.rbegin(); v != variants.rend(); ++v) {
    if (!vary_matches(***v, request_headers)) continue;
    shard.lru.splice(shard.lru.begin(), shard.lru, *v);
    return **v;
  }
  return nullptr;
}

void Store::insert(std::shared_ptr<const Entry> entry) {
  if (!entry) return;
  const uint64_t size = entry->bytes();
  Shard& shard = shard_of(entry->key);
  // Replaced and evicted entries are released after the lock: the last
  // reference to a large body is freed outside it.
  std::vector<std::shared_ptr<const Entry>> released;
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(std::string_view(entry->key));
  if (it != shard.index.end()) {
    auto& variants = it->second;
    auto same = std::find_if(variants.begin(), variants.end(),
                             [&](Lru::iterator node) { return (*node)->vary == entry->vary; });
    Lru::iterator victim = shard.lru.end();
    if (same != variants.end()) {
      victim = *same;
    } else if (variants.size() >= kMaxVariants) {
      victim = variants.front();
    }
    if (victim != shard.lru.end()) {
      released.push_back(*victim);
      unlink(shard, victim);
    }
  }
  if (size > shard_budget_) return;

  shard.lru.push_front(std::move(entry));
  shard.index[shard.lru.front()->key].push_back(shard.lru.begin());
  shard.bytes += size;
  bytes_.fetch_add(size, std::memory_order_relaxed);
  entries_.fetch_add(1, std::memory_order_relaxed);
  while (shard.bytes > shard_budget_) {
    auto oldest = std::prev(shard.lru.end());
    released.push_back(*oldest);
    unlink(shard, oldest);
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Store::erase(std::string_view key) {
  Shard& shard = shard_of(key);
  std::vector<std::shared_ptr<const Entry>> released;
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) return;
  const std::vector<Lru::iterator> variants = it->second;
  for (auto node : variants) {
    released.push_back(*node);
    unlink(shard, node);
  }
}

size_t Store::drop_if(const std::function<bool(const Entry&)>& drop) {
  size_t dropped = 0;
  for (Shard& shard : shards_) {
    std::vector<std::shared_ptr<const Entry>> released;
    std::lock_guard lock(shard.mutex);
    for (auto node = shard.lru.begin(); node != shard.lru.end();) {
      auto next = std::next(node);
      if (drop(**node)) {
        released.push_back(*node);
        unlink(shard, node);
        ++dropped;
      }
      node = next;
    }
  }
  return dropped;
}

size_t Store::purge(std::string_view host, std::string_view path, bool prefix) {
  const std::string normalized = normalize_authority(host);
  return drop_if([&](const Entry& e) {
    return e.host == normalized && (prefix ? e.path.starts_with(path) : e.path == path);
  });
}

void Store::retain(const std::unordered_set<uint64_t>& live) {
  drop_if([&](const Entry& e) { return !live.contains(e.route_fingerprint); });
}

}  // namespace archway::cache
