#include "controller/status/event_dedupe.h"

namespace archway::controller::status {

bool EventDedupe::fresh(const std::string& key, k8s::TimePoint now) {
  prune(now);
  return last_.find(key) == last_.end();
}

void EventDedupe::record(const std::string& key, k8s::TimePoint now) { last_[key] = now; }

void EventDedupe::prune(k8s::TimePoint now) {
  for (auto it = last_.begin(); it != last_.end();) {
    it = now - it->second >= window_ ? last_.erase(it) : std::next(it);
  }
}

}  // namespace archway::controller::status
