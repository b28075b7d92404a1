// circuitBreaker: the APIRoute field's schema (crds/generate.py
// "circuit_breaker"): every field optional, at least one set.

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr uint64_t kU32Max = 0xffffffffULL;

void get_optional(ObjectReader& r, std::string_view key, std::optional<uint32_t>& out) {
  uint32_t value = 0;
  if (r.child(key) == nullptr) return;
  r.get(key, value, 0, kU32Max);
  if (r.ok()) out = value;
}

struct Limit {
  const char* name;
  const std::optional<uint32_t> CircuitBreaker::*member;
  uint64_t min;
  uint64_t max;
};
constexpr Limit kLimits[] = {
    {"maxConnections", &CircuitBreaker::max_connections, 1, 1000000},
    {"maxPendingRequests", &CircuitBreaker::max_pending_requests, 0, 1000000},
    {"maxRequests", &CircuitBreaker::max_requests, 1, 1000000},
    {"consecutive5xx", &CircuitBreaker::consecutive_5xx, 0, 1000},
    {"maxEjectionPercent", &CircuitBreaker::max_ejection_percent, 0, 100},
};

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, CircuitBreaker& out) {
  ObjectReader r(d, json, path,
                 {"maxConnections", "maxPendingRequests", "maxRequests", "consecutive5xx",
                  "baseEjectionTime", "maxEjectionPercent"});
  get_optional(r, "maxConnections", out.max_connections);
  get_optional(r, "maxPendingRequests", out.max_pending_requests);
  get_optional(r, "maxRequests", out.max_requests);
  get_optional(r, "consecutive5xx", out.consecutive_5xx);
  r.get_duration("baseEjectionTime", out.base_ejection_time);
  get_optional(r, "maxEjectionPercent", out.max_ejection_percent);
}

Result<void> validate(const CircuitBreaker& breaker, const std::string& path) {
  if (breaker == CircuitBreaker{}) {
    return invalid(path,
                   "must set at least one of maxConnections, maxPendingRequests, "
                   "maxRequests, consecutive5xx, baseEjectionTime, maxEjectionPercent");
  }
  for (const Limit& limit : kLimits) {
    const std::optional<uint32_t>& value = breaker.*limit.member;
    if (!value) continue;
    if (auto r = check_range(*value, path + "." + limit.name, limit.min, limit.max); !r.ok()) {
      return r;
    }
  }
  if (breaker.base_ejection_time && breaker.base_ejection_time->count() < 0) {
    return invalid(path + ".baseEjectionTime", "must not be negative");
  }
  return {};
}

Json to_json(const CircuitBreaker& breaker) {
  Json out = Json::object();
  for (const Limit& limit : kLimits) {
    if (const auto& value = breaker.*limit.member) out[limit.name] = *value;
  }
  if (breaker.base_ejection_time) {
    out["baseEjectionTime"] = format_duration(*breaker.base_ejection_time);
  }
  return out;
}

}  // namespace archway::config
