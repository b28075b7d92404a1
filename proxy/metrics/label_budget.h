#pragma once
// The series budget (docs/observability.md "Series budget"): at most
// `limit` distinct values of one label (route names, cluster names) per
// worker; a value first seen once the budget is spent is counted under
// kOverflowLabel instead, so a configuration with very many routes, or
// churn that keeps naming new ones, cannot grow /metrics without bound.
// Asked only when a route or cluster is first seen by a worker (then its
// label is kept with the key), never per request.

#include <cstddef>
#include <string>
#include <unordered_set>

namespace archway::metrics {

// No route or cluster name has this shape (they are "namespace/name..."
// paths), so it never collides with a real one.
inline constexpr const char* kOverflowLabel = "_overflow";
inline constexpr size_t kDefaultLabelLimit = 2000;

class LabelBudget {
 public:
  explicit LabelBudget(size_t limit = kDefaultLabelLimit) : limit_(limit) {}
  // `value` itself while it is known or there is room, else kOverflowLabel.
  [[nodiscard]] const std::string& admit(const std::string& value) {
    if (value.empty()) return value;  // requests with no route: always their own series
    if (seen_.contains(value)) return value;
    if (seen_.size() >= limit_) return overflow_;
    seen_.insert(value);
    return value;
  }

 private:
  size_t limit_;
  std::unordered_set<std::string> seen_;
  const std::string overflow_ = kOverflowLabel;
};

}  // namespace archway::metrics
