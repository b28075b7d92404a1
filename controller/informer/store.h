#pragma once
// The informers' shared cache: one ClusterState behind one mutex. Writers are
// the reflector threads; readers take a full copy (InformerSet::state), so
// compile never sees a half-applied relist. Pure: no I/O (STYLE.md).

#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/model/cluster_state.h"

namespace archway::controller::informer {

using KindMember = ObjectMap ClusterState::*;

class Store {
 public:
  // Replaces every object of one kind in one namespace (all namespaces when
  // ns is empty) with `objects`, atomically. Returns true when that changed
  // anything.
  bool replace(KindMember member, const std::string& ns, ObjectMap objects);
  // Returns true when the cached object differs from `object` (or was absent).
  bool upsert(KindMember member, const ObjectKey& key, Object object);
  // Returns true when the object was cached.
  bool remove(KindMember member, const ObjectKey& key);
  [[nodiscard]] ClusterState copy() const;
  // f(const ClusterState&) under the lock, for a reader that needs a small
  // answer (which Secrets the routes name) rather than a copy of everything.
  template <class F>
  auto read(F&& f) const {
    std::lock_guard lock(mu_);
    return f(static_cast<const ClusterState&>(state_));
  }

 private:
  mutable std::mutex mu_;
  ClusterState state_;
};

}  // namespace archway::controller::informer
