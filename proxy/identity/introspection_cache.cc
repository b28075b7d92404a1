#include "proxy/identity/introspection_cache.h"

namespace archway::identity {

IntrospectionCache::Order::iterator IntrospectionCache::touch(const Sha256Digest& key,
                                                              IntrospectionClock::time_point now) {
  const auto found = entries_.find(key);
  if (found == entries_.end()) return order_.end();
  const Order::iterator node = found->second;
  if (node->entry.stale_until <= now) {
    order_.erase(node);
    entries_.erase(found);
    return order_.end();
  }
  order_.splice(order_.begin(), order_, node);
  return node;
}

std::optional<CachedIntrospection> IntrospectionCache::find_fresh(
    const Sha256Digest& key, IntrospectionClock::time_point now) {
  const auto node = touch(key, now);
  if (node == order_.end() || node->entry.fresh_until <= now) return std::nullopt;
  return node->entry;
}

std::optional<CachedIntrospection> IntrospectionCache::find_usable(
    const Sha256Digest& key, IntrospectionClock::time_point now) {
  const auto node = touch(key, now);
  if (node == order_.end()) return std::nullopt;
  return node->entry;
}

void IntrospectionCache::put(const Sha256Digest& key, CachedIntrospection entry,
                             IntrospectionClock::time_point now) {
  if (const auto found = entries_.find(key); found != entries_.end()) {
    order_.erase(found->second);
    entries_.erase(found);
  }
  if (capacity_ == 0 || entry.stale_until <= now) return;
  order_.push_front(Node{key, std::move(entry)});
  entries_.emplace(key, order_.begin());
  while (entries_.size() > capacity_) {
    entries_.erase(order_.back().key);
    order_.pop_back();
  }
}

}  // namespace archway::identity
