#include "proxy/metrics/worker_stats.h"

#include <chrono>

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
  for (const auto& [route, h] : other.durations) durations[route].merge(h);
  for (const auto& [route, e] : other.exemplars) exemplars[route].merge(e);
  for (const auto& [cluster, counts] : other.upstream) upstream[cluster].merge(counts);
  for (const auto& [cluster, n] : other.upstream_connections) upstream_connections[cluster] += n;
  connections_active += other.connections_active;
  h2_glitch_goaways += other.h2_glitch_goaways;
  worker_loop_exceptions += other.worker_loop_exceptions;
  introspection_calls.merge(other.introspection_calls);
}

WorkerStats::Labels& WorkerStats::labels_of(const void* route_key, const std::string& route,
                                            const std::string& rule) {
  auto [it, inserted] = labels_.try_emplace(route_key);
  if (inserted) {
    // Over the series budget, the rule goes with the route: one
    // `_overflow` series, not one per rule name.
    const std::string& label = route_budget_.admit(route);
    it->second.route = label;
    it->second.rule = &label == &route ? rule : label;
  }
  return it->second;
}

void WorkerStats::record(const void* route_key, const std::string& route, const std::string& rule,
                         int code, double seconds, std::string_view trace_id) {
  if (!request_metrics_) return;
  ++live_[{route_key, code}];
  auto& labels = labels_of(route_key, route, rule);
  const size_t bucket = labels.durations.observe(seconds);
  if (!trace_id.empty()) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    labels.exemplars.note(bucket, trace_id, seconds, now);
  }
}

std::shared_ptr<int64_t> WorkerStats::connection_gauge(const std::string& cluster) {
  if (!request_metrics_) return nullptr;
  const std::string& label = upstream_.label(cluster);
  auto it = connection_gauges_.find(label);
  if (it == connection_gauges_.end()) {
    it = connection_gauges_.emplace(label, std::make_shared<int64_t>(0)).first;
  }
  return it->second;
}

void WorkerStats::count_policy(const void* route_key, const std::string& route,
                               const std::string& rule, PolicyCounter counter) {
  ++live_policy_[{route_key, static_cast<int>(counter)}];
  labels_of(route_key, route, rule);
}

void WorkerStats::count_version(const void* route_key, const std::string& route,
                                const std::string& rule, int version_index,
                                const std::string& version) {
  auto [it, inserted] = live_version_.try_emplace({route_key, version_index});
  if (inserted) it->second.version = version;
  ++it->second.count;
  labels_of(route_key, route, rule);
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
  for (const auto& [key, labels] : labels_) {
    if (labels.durations.count == 0) continue;
    folded_durations_[labels.route].merge(labels.durations);
    folded_exemplars_[labels.route].merge(labels.exemplars);
  }
  upstream_.fold();
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
  out.durations = folded_durations_;
  out.exemplars = folded_exemplars_;
  for (const auto& [key, labels] : labels_) {
    if (labels.durations.count == 0) continue;  // a route with policy events only
    out.durations[labels.route].merge(labels.durations);
    out.exemplars[labels.route].merge(labels.exemplars);
  }
  upstream_.snapshot_into(out.upstream);
  for (const auto& [cluster, gauge] : connection_gauges_)
    out.upstream_connections[cluster] = *gauge;
  out.connections_active = connections_active_;
  out.h2_glitch_goaways = glitch_goaways_;
  out.worker_loop_exceptions = loop_exceptions_;
  out.introspection_calls = introspection_calls_;
  return out;
}

}  // namespace archway::metrics
