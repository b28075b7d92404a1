// rateLimit: the APIRoute field's schema (crds/generate.py "rate_limit"),
// with its CEL rules: `header` exactly when key is Header, period > 0.
// `fallback` matters only for scope Global; it is accepted either way, as
// the CRD does, so a rule can switch scope without editing it.

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr EnumName<RateLimitKey> kKeyNames[] = {{RateLimitKey::kClientIp, "ClientIP"},
                                                {RateLimitKey::kApiKey, "APIKey"},
                                                {RateLimitKey::kUser, "User"},
                                                {RateLimitKey::kHeader, "Header"}};
constexpr EnumName<RateLimitScope> kScopeNames[] = {{RateLimitScope::kLocal, "Local"},
                                                    {RateLimitScope::kGlobal, "Global"}};
constexpr EnumName<RateLimitFallback> kFallbackNames[] = {{RateLimitFallback::kLocal, "Local"},
                                                          {RateLimitFallback::kAllow, "Allow"},
                                                          {RateLimitFallback::kDeny, "Deny"}};
constexpr EnumName<RateLimitHeaders> kHeadersNames[] = {
    {RateLimitHeaders::kAlways, "Always"}, {RateLimitHeaders::kWhenLimited, "WhenLimited"}};
constexpr uint64_t kMaxCount = 1000000000;

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, RateLimit& out) {
  ObjectReader r(d, json, path,
                 {"requests", "period", "burst", "key", "header", "scope", "fallback", "headers"});
  for (const char* key : {"requests", "period"}) {
    if (r.ok() && r.child(key) == nullptr) d.fail(r.field(key), "is required");
  }
  r.get("requests", out.requests, 0, ~0ULL);
  r.get_duration("period", out.period);
  r.get("burst", out.burst, 0, ~0ULL);
  get_enum_named(d, r, "key", out.key, kKeyNames);
  r.get("header", out.header);
  if (out.header) out.header = ascii_lower(*out.header);
  get_enum_named(d, r, "scope", out.scope, kScopeNames);
  get_enum_named(d, r, "fallback", out.fallback, kFallbackNames);
  get_enum_named(d, r, "headers", out.headers, kHeadersNames);
}

Result<void> validate(const RateLimit& limit, const std::string& path) {
  if (auto r = check_range(limit.requests, path + ".requests", 1, kMaxCount); !r.ok()) return r;
  if (limit.period.count() <= 0) return invalid(path + ".period", "period must be longer than 0s");
  if (auto r = check_range(limit.burst, path + ".burst", 0, kMaxCount); !r.ok()) return r;
  const bool by_header = limit.key == RateLimitKey::kHeader;
  if (by_header && !limit.header) {
    return invalid(path + ".header", "header is required when key is Header");
  }
  if (!by_header && limit.header) {
    return invalid(path + ".header", "header is only allowed when key is Header");
  }
  if (limit.header) return check_lower_header_name(*limit.header, path + ".header");
  return {};
}

Json to_json(const RateLimit& limit) {
  Json out = {{"requests", limit.requests},
              {"period", format_duration(limit.period)},
              {"burst", limit.burst},
              {"key", enum_name(kKeyNames, limit.key)},
              {"scope", enum_name(kScopeNames, limit.scope)},
              {"fallback", enum_name(kFallbackNames, limit.fallback)},
              {"headers", enum_name(kHeadersNames, limit.headers)}};
  if (limit.header) out["header"] = *limit.header;
  return out;
}

}  // namespace archway::config
