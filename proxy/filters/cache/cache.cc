#include "proxy/filters/cache/cache.h"

#include <functional>
#include <string>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/cache/cache_filter.h"

namespace archway::filters {
namespace {

using cache_filter::CacheFilter;
using cache_filter::RuleCache;

class CacheConfig final : public FilterConfig {
 public:
  explicit CacheConfig(RuleCache rule) : rule_(std::move(rule)) {}

  [[nodiscard]] FilterPtr create() const override { return FilterPtr(new CacheFilter(rule_)); }
  [[nodiscard]] bool has_response_hook() const override { return true; }
  [[nodiscard]] bool has_response_body_hook() const override { return true; }
  [[nodiscard]] bool has_backend_error_hook() const override { return true; }

 private:
  const RuleCache rule_;
};

// The parts of a rule that decide what its responses are: where it sends
// requests, how it rewrites them, and its policies (the cache's included).
std::string rule_definition(const config::Route& route) {
  std::string out = route.name + '\n' + route.route_name + '\n' + route.rule_name + '\n';
  for (const auto& b : route.backends) out += b.cluster + ' ' + std::to_string(b.weight) + '\n';
  out += route.rewrite.path_prefix.value_or("-") + '\n';
  out += route.rewrite.full_path.value_or("-") + '\n';
  out += route.rewrite.hostname.value_or("-") + '\n';
  for (const auto& h : route.request_headers.set) out += "set " + h.name + ": " + h.value + '\n';
  for (const auto& h : route.request_headers.add) out += "add " + h.name + ": " + h.value + '\n';
  for (const auto& name : route.request_headers.remove) out += "remove " + name + '\n';
  for (const auto& h : route.response_headers.set) out += "rset " + h.name + ": " + h.value + '\n';
  for (const auto& h : route.response_headers.add) out += "radd " + h.name + ": " + h.value + '\n';
  for (const auto& name : route.response_headers.remove) out += "rremove " + name + '\n';
  out += config::to_json(route.policies).dump();
  return out;
}

}  // namespace

uint64_t cache_fingerprint(const config::Route& route) {
  if (!route.policies.cache) return 0;
  const uint64_t hash = std::hash<std::string>{}(rule_definition(route));
  return hash == 0 ? 1 : hash;  // 0 means "no cache policy"
}

std::unique_ptr<const FilterConfig> make_cache_filter(const config::Cache& policy,
                                                      const config::Route& route,
                                                      SharedPolicyState& shared) {
  RuleCache rule;
  rule.policy = policy;
  rule.fingerprint = cache_fingerprint(route);
  rule.store = shared.cache_store;
  rule.fills = shared.cache_fills;
  if (!route.backends.empty()) rule.cluster = route.backends.front().cluster;
  return std::make_unique<CacheConfig>(std::move(rule));
}

}  // namespace archway::filters
