#include "proxy/metrics/upstream_stats.h"

namespace archway::metrics {

void UpstreamCounts::add_code(int code, uint64_t n) {
  for (auto& [c, count] : codes) {
    if (c == code) {
      count += n;
      return;
    }
  }
  codes.emplace_back(code, n);
}

void UpstreamCounts::merge(const UpstreamCounts& other) {
  for (const auto& [code, n] : other.codes) add_code(code, n);
  for (size_t i = 0; i < failures.size(); ++i) failures[i] += other.failures[i];
  head_time.merge(other.head_time);
}

UpstreamCounts& UpstreamStats::entry(const void* cluster_key, const std::string& cluster) {
  auto [it, inserted] = live_.try_emplace(cluster_key);
  if (inserted) it->second.label = budget_.admit(cluster);
  return it->second.counts;
}

void UpstreamStats::answered(const void* cluster_key, const std::string& cluster, int code,
                             double seconds) {
  if (!enabled_) return;
  auto& counts = entry(cluster_key, cluster);
  counts.add_code(code);
  counts.head_time.observe(seconds);
}

void UpstreamStats::failed(const void* cluster_key, const std::string& cluster,
                           UpstreamFailure failure) {
  if (!enabled_) return;
  ++entry(cluster_key, cluster).failures[static_cast<size_t>(failure)];
}

void UpstreamStats::fold() {
  for (const auto& [key, e] : live_) folded_[e.label].merge(e.counts);
  live_.clear();
}

void UpstreamStats::snapshot_into(std::map<std::string, UpstreamCounts>& out) const {
  for (const auto& [name, counts] : folded_) out[name].merge(counts);
  for (const auto& [key, e] : live_) out[e.label].merge(e.counts);
}

}  // namespace archway::metrics
