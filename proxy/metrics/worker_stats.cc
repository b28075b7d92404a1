#include "proxy/metrics/worker_stats.h"

namespace archway::metrics {

void StatsSnapshot::merge(const StatsSnapshot& other) {
  for (const auto& [key, count] : other.requests) requests[key] += count;
  for (const auto& [key, count] : other.policy_events) policy_events[key] += count;
  for (const auto& [key, count] : other.version_requests) version_requests[key] += count;
  for (const auto& [key, count] : other.aggregate_parts) aggregate_parts[key] += count;
  for (const auto& [cluster, counts] : other.retries) {
    auto& into = retries[cluster];
    for (size_t i = 0; i < counts.size(); ++i) into[i] += counts[i];
  }
  for (size_t i = 0; i < duration_buckets.size(); ++i) {
    duration_buckets[i] += other.duration_buckets[i];
  }
  duration_sum += other.duration_sum;
  duration_count += other.duration_count;
  connections_active += other.connections_active;
  h2_glitch_goaways += other.h2_glitch_goaways;
  worker_loop_exceptions += other.worker_loop_exceptions;
  introspection_calls.merge(other.introspection_calls);
}

void WorkerStats::record(const void* route_key, const std::string& route, const std::string& rule,
                         int code, double seconds) {
  auto [it, inserted] = live_.try_emplace({route_key, code}, 0);
  ++it->second;
  if (inserted && !labels_.contains(route_key)) labels_.emplace(route_key, Labels{route, rule});
  size_t b = 0;
  while (b < kDurationBuckets.size() && seconds > kDurationBuckets[b]) ++b;
  ++buckets_[b];  // non-cumulative here; the renderer accumulates
  sum_ += seconds;
  ++count_;
}

void WorkerStats::count_policy(const void* route_key, const std::string& route,
                               const std::string& rule, PolicyCounter counter) {
  ++live_policy_[{route_key, static_cast<int>(counter)}];
  if (!labels_.contains(route_key)) labels_.emplace(route_key, Labels{route, rule});
}

void WorkerStats::count_version(const void* route_key, const std::string& route,
                                const std::string& rule, int version_index,
                                const std::string& version) {
  auto [it, inserted] = live_version_.try_emplace({route_key, version_index});
  if (inserted) it->second.version = version;
  ++it->second.count;
  if (!labels_.contains(route_key)) labels_.emplace(route_key, Labels{route, rule});
}
void WorkerStats::count_aggregate_part(const void* part_key, const std::string& route,
                                       const std::string& rule, const std::string& part,
                                       int outcome) {
  ++live_parts_[{part_key, outcome}];
  if (!part_labels_.contains(part_key))
    part_labels_.emplace(part_key, PartLabels{route, rule, part});
}

void WorkerStats::count_retry(std::string_view cluster, size_t slot) {
  auto it = retries_.find(cluster);
  if (it == retries_.end()) it = retries_.emplace(std::string(cluster), RetryCounts{}).first;
  ++it->second[slot];
}

void WorkerStats::fold() {
  for (const auto& [key, count] : live_) {
    const auto& labels = labels_.at(key.first);
    folded_[{labels.route, labels.rule, key.second}] += count;
  }
  for (const auto& [key, count] : live_policy_) {
    const auto& labels = labels_.at(key.first);
    folded_policy_[{labels.route, labels.rule, key.second}] += count;
  }
  for (const auto& [key, entry] : live_version_) {
    const auto& labels = labels_.at(key.first);
    folded_version_[{labels.route, labels.rule, entry.version}] += entry.count;
  }
  for (const auto& [key, count] : live_parts_) {
    const auto& labels = part_labels_.at(key.first);
    folded_parts_[{labels.route, labels.rule, labels.part, key.second}] += count;
  }
  live_.clear();
  live_policy_.clear();
  live_version_.clear();
  labels_.clear();
  live_parts_.clear();
  part_labels_.clear();
}

StatsSnapshot WorkerStats::snapshot() const {
  StatsSnapshot out;
  out.requests = folded_;
  for (const auto& [key, count] : live_) {
    const auto& labels = labels_.at(key.first);
    out.requests[{labels.route, labels.rule, key.second}] += count;
  }
  out.policy_events = folded_policy_;
  for (const auto& [key, count] : live_policy_) {
    const auto& labels = labels_.at(key.first);
    out.policy_events[{labels.route, labels.rule, key.second}] += count;
  }
  out.version_requests = folded_version_;
  for (const auto& [key, entry] : live_version_) {
    const auto& labels = labels_.at(key.first);
    out.version_requests[{labels.route, labels.rule, entry.version}] += entry.count;
  }
  out.aggregate_parts = folded_parts_;
  for (const auto& [key, count] : live_parts_) {
    const auto& labels = part_labels_.at(key.first);
    out.aggregate_parts[{labels.route, labels.rule, labels.part, key.second}] += count;
  }
  for (const auto& [cluster, counts] : retries_) out.retries[cluster] = counts;
  out.duration_buckets = buckets_;
  out.duration_sum = sum_;
  out.duration_count = count_;
  out.connections_active = connections_active_;
  out.h2_glitch_goaways = glitch_goaways_;
  out.worker_loop_exceptions = loop_exceptions_;
  out.introspection_calls = introspection_calls_;
  return out;
}

}  // namespace archway::metrics
