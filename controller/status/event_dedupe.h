#pragma once
// Remembers which events were emitted recently so that a controller that
// recompiles every few seconds does not post the same Event each time: the
// controller's one de-duplication. An identical event is emitted again once
// the window has passed (as kubectl's own event series would show it).
// Bounded twice: entries older than the window are pruned on each call, and
// at most `max_entries` are kept (the oldest go first), so a flood of
// distinct events within one window cannot grow it either. Not thread-safe
// (the StatusWriter locks around it).

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "controller/k8s/time_format.h"

namespace archway::controller::status {

class EventDedupe {
 public:
  // 4096 distinct events per window is far above what one controller's
  // objects produce in ten minutes; past it an event may repeat early.
  static constexpr size_t kDefaultMaxEntries = 4096;

  explicit EventDedupe(std::chrono::milliseconds window, size_t max_entries = kDefaultMaxEntries)
      : window_(window), max_entries_(max_entries) {}
  // True when `key` was not recorded within the window before `now`.
  [[nodiscard]] bool fresh(const std::string& key, k8s::TimePoint now);
  void record(const std::string& key, k8s::TimePoint now);
  [[nodiscard]] size_t size() const { return last_.size(); }

 private:
  void prune(k8s::TimePoint now);
  void drop_oldest();

  std::chrono::milliseconds window_;
  size_t max_entries_;
  std::map<std::string, k8s::TimePoint> last_;
  // Records in the order they were made (oldest first); an entry whose key
  // was recorded again later is stale and skipped when it reaches the front.
  std::deque<std::pair<k8s::TimePoint, std::string>> order_;
};

}  // namespace archway::controller::status
