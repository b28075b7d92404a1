#pragma once
// Remembers which events were emitted recently so that a controller that
// recompiles every few seconds does not post the same Warning each time.
// Not thread-safe (the StatusWriter locks around it). Entries older than the
// window are pruned on each call, so memory stays bounded by the distinct
// events of one window.

#include <chrono>
#include <map>
#include <string>

#include "controller/k8s/time_format.h"

namespace archway::controller::status {

class EventDedupe {
 public:
  explicit EventDedupe(std::chrono::milliseconds window) : window_(window) {}
  // True when `key` was not recorded within the window before `now`.
  [[nodiscard]] bool fresh(const std::string& key, k8s::TimePoint now);
  void record(const std::string& key, k8s::TimePoint now);
  [[nodiscard]] size_t size() const { return last_.size(); }

 private:
  void prune(k8s::TimePoint now);

  std::chrono::milliseconds window_;
  std::map<std::string, k8s::TimePoint> last_;
};

}  // namespace archway::controller::status
