#include "proxy/identity/introspector_registry.h"

#include "proxy/identity/sha256.h"

namespace archway::identity {
namespace {

// A digest, so the map never holds a client secret in the clear.
std::string key_of(const IntrospectionPolicy& policy) {
  std::string text;
  for (const std::string* part : {&policy.endpoint, &policy.client_id, &policy.client_secret}) {
    text += std::to_string(part->size()) + ':' + *part;
  }
  text +=
      std::to_string(policy.cache_ttl.count()) + ':' + std::to_string(policy.stale_grace.count());
  return sha256_hex(text);
}

}  // namespace

std::shared_ptr<TokenIntrospector> IntrospectorRegistry::get(const IntrospectionPolicy& policy) {
  const std::string key = key_of(policy);
  std::lock_guard lock(mutex_);
  std::weak_ptr<TokenIntrospector>& slot = by_key_[key];
  if (auto live = slot.lock()) return live;
  auto made = TokenIntrospector::create(policy, clock_);
  slot = made;
  // Drop the slots of introspectors no snapshot uses any more.
  std::erase_if(by_key_, [](const auto& entry) { return entry.second.expired(); });
  return made;
}

}  // namespace archway::identity
