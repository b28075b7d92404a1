// The `policies` object of a route: one typed policy per key of
// kPolicyNames, each decoded, checked and written by its own codec.

#include <algorithm>

#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_names.h"

namespace archway::config {
namespace {

template <typename Policy>
void decode_optional(Decoder& d, ObjectReader& r, std::string_view key,
                     std::optional<Policy>& out) {
  if (const Json* json = r.child(key)) decode(d, *json, r.field(key), out.emplace());
}

template <typename Policy>
Result<void> validate_optional(const std::optional<Policy>& policy, const std::string& path) {
  if (!policy) return {};
  return validate(*policy, path);
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, RoutePolicies& out) {
  // "unknown policy" rather than ObjectReader's "unknown field": the key is a
  // policy name, and the message says which list it is missing from.
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      if (std::find(std::begin(kPolicyNames), std::end(kPolicyNames), key) ==
          std::end(kPolicyNames)) {
        d.fail(join_field(path, key), "unknown policy");
        return;
      }
    }
  }
  ObjectReader r(d, json, path,
                 {"retries", "circuitBreaker", "auth", "rateLimit", "cache", "cors", "aggregate",
                  "versioning", "requestBody", "responseBody"});
  decode_optional(d, r, "retries", out.retries);
  decode_optional(d, r, "circuitBreaker", out.circuit_breaker);
  decode_optional(d, r, "auth", out.auth);
  decode_optional(d, r, "rateLimit", out.rate_limit);
  decode_optional(d, r, "cache", out.cache);
  decode_optional(d, r, "cors", out.cors);
  decode_optional(d, r, "aggregate", out.aggregate);
  decode_optional(d, r, "versioning", out.versioning);
  decode_optional(d, r, "requestBody", out.request_body);
  decode_optional(d, r, "responseBody", out.response_body);
}

Result<void> validate(const RoutePolicies& p, const std::string& path,
                      const std::unordered_set<std::string>& clusters) {
  if (auto r = validate_optional(p.retries, path + ".retries"); !r.ok()) return r;
  if (auto r = validate_optional(p.circuit_breaker, path + ".circuitBreaker"); !r.ok()) return r;
  if (auto r = validate_optional(p.auth, path + ".auth"); !r.ok()) return r;
  if (auto r = validate_optional(p.rate_limit, path + ".rateLimit"); !r.ok()) return r;
  // A limit keyed on who the caller is needs the rule to find out: without
  // it every request would share one bucket (docs/ratelimit.md "Keys").
  if (p.rate_limit && p.rate_limit->key == RateLimitKey::kApiKey && !(p.auth && p.auth->api_key)) {
    return invalid(path + ".rateLimit.key", "APIKey needs auth.apiKey on the same rule");
  }
  if (p.rate_limit && p.rate_limit->key == RateLimitKey::kUser && !p.auth) {
    return invalid(path + ".rateLimit.key", "User needs auth on the same rule");
  }
  if (auto r = validate_optional(p.cache, path + ".cache"); !r.ok()) return r;
  if (auto r = validate_optional(p.cors, path + ".cors"); !r.ok()) return r;
  if (auto r = validate_optional(p.versioning, path + ".versioning"); !r.ok()) return r;
  if (auto r = validate_optional(p.request_body, path + ".requestBody"); !r.ok()) return r;
  if (auto r = validate_optional(p.response_body, path + ".responseBody"); !r.ok()) return r;
  if (p.aggregate) return validate(*p.aggregate, path + ".aggregate", clusters);
  return {};
}

Json to_json(const RoutePolicies& p) {
  Json out = Json::object();
  if (p.retries) out["retries"] = to_json(*p.retries);
  if (p.circuit_breaker) out["circuitBreaker"] = to_json(*p.circuit_breaker);
  if (p.auth) out["auth"] = to_json(*p.auth);
  if (p.rate_limit) out["rateLimit"] = to_json(*p.rate_limit);
  if (p.cache) out["cache"] = to_json(*p.cache);
  if (p.cors) out["cors"] = to_json(*p.cors);
  if (p.aggregate) out["aggregate"] = to_json(*p.aggregate);
  if (p.versioning) out["versioning"] = to_json(*p.versioning);
  if (p.request_body) out["requestBody"] = to_json(*p.request_body);
  if (p.response_body) out["responseBody"] = to_json(*p.response_body);
  return out;
}

}  // namespace archway::config
