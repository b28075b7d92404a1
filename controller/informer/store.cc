#include "controller/informer/store.h"

namespace archway::controller::informer {

bool Store::replace(KindMember member, const std::string& ns, ObjectMap objects) {
  std::lock_guard lock(mu_);
  ObjectMap& map = state_.*member;
  if (ns.empty()) {
    if (map == objects) return false;
    map = std::move(objects);
    return true;
  }
  // Namespace scope: the keys of `ns` form one contiguous range of the map.
  auto first = map.lower_bound(ObjectKey{ns, ""});
  auto last = first;
  while (last != map.end() && last->first.ns == ns) ++last;
  bool same = static_cast<size_t>(std::distance(first, last)) == objects.size();
  if (same) {
    auto it = objects.begin();
    for (auto cur = first; cur != last; ++cur, ++it) {
      if (cur->first != it->first || cur->second != it->second) {
        same = false;
        break;
      }
    }
  }
  if (same) return false;
  map.erase(first, last);
  map.merge(objects);
  return true;
}

bool Store::upsert(KindMember member, const ObjectKey& key, Object object) {
  std::lock_guard lock(mu_);
  ObjectMap& map = state_.*member;
  auto it = map.find(key);
  if (it != map.end()) {
    if (it->second == object) return false;
    it->second = std::move(object);
    return true;
  }
  map.emplace(key, std::move(object));
  return true;
}

bool Store::remove(KindMember member, const ObjectKey& key) {
  std::lock_guard lock(mu_);
  return (state_.*member).erase(key) > 0;
}

ClusterState Store::copy() const {
  std::lock_guard lock(mu_);
  return state_;
}

}  // namespace archway::controller::informer
