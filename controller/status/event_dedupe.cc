#include "controller/status/event_dedupe.h"

namespace archway::controller::status {

bool EventDedupe::fresh(const std::string& key, k8s::TimePoint now) {
  prune(now);
  auto it = last_.find(key);
  return it == last_.end() || now - it->second >= window_;
}

void EventDedupe::record(const std::string& key, k8s::TimePoint now) {
  last_[key] = now;
  order_.emplace_back(now, key);
  while (last_.size() > max_entries_ && !order_.empty()) drop_oldest();
}

void EventDedupe::prune(k8s::TimePoint now) {
  while (!order_.empty() && now - order_.front().first >= window_) drop_oldest();
}

void EventDedupe::drop_oldest() {
  const auto& [when, key] = order_.front();
  if (auto it = last_.find(key); it != last_.end() && it->second == when) last_.erase(it);
  order_.pop_front();
}

}  // namespace archway::controller::status
