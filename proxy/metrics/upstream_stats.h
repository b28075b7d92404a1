#pragma once
// What one worker saw of the attempts it sent to backend clusters
// (archway_upstream_* in docs/observability.md): the answers by status
// code, the failures by kind, and the time from an attempt's start to the
// backend's response head. Worker-thread only, no locks; merged on scrape.
//
// Keyed like WorkerStats' routes: by the cluster's entry in the pinned
// table (no string per attempt), with the label copied once; fold() on a
// table swap moves the counts to name-keyed storage before the table (and
// its addresses) can go.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/metrics/histogram.h"
#include "proxy/metrics/label_budget.h"

namespace archway::metrics {

// How an attempt failed without an answer.
enum class UpstreamFailure : uint8_t { kConnect, kReset, kTimeout };
inline constexpr size_t kUpstreamFailureCount = 3;

struct UpstreamCounts {
  std::vector<std::pair<int, uint64_t>> codes;  // status → attempts, in first-seen order
  std::array<uint64_t, kUpstreamFailureCount> failures{};
  DurationHistogram head_time;

  void add_code(int code, uint64_t n = 1);
  void merge(const UpstreamCounts& other);
};

class UpstreamStats {
 public:
  explicit UpstreamStats(size_t label_limit = kDefaultLabelLimit) : budget_(label_limit) {}
  // An attempt to the cluster keyed `cluster_key` (named `cluster`, read
  // only the first time the key is seen) got a response head.
  void answered(const void* cluster_key, const std::string& cluster, int code, double seconds);
  void failed(const void* cluster_key, const std::string& cluster, UpstreamFailure failure);
  void fold();
  void set_enabled(bool on) { enabled_ = on; }
  void snapshot_into(std::map<std::string, UpstreamCounts>& out) const;
  // The label a cluster's connections are counted under (the budget's).
  [[nodiscard]] const std::string& label(const std::string& cluster) {
    return budget_.admit(cluster);
  }

 private:
  UpstreamCounts& entry(const void* cluster_key, const std::string& cluster);
  struct Entry {
    std::string label;
    UpstreamCounts counts;
  };
  std::unordered_map<const void*, Entry> live_;
  std::map<std::string, UpstreamCounts> folded_;
  LabelBudget budget_;
  bool enabled_ = true;
};

}  // namespace archway::metrics
