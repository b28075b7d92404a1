// loadBalancer: the APIRoute field's schema (crds/generate.py
// "load_balancer") and a cluster's field in the snapshot, one decoder for
// both.

#include "proxy/config/field_checks.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr EnumName<BalancerPolicy> kPolicies[] = {
    {BalancerPolicy::kLeastRequest, "LeastRequest"},
    {BalancerPolicy::kRoundRobin, "RoundRobin"},
    {BalancerPolicy::kConsistentHash, "ConsistentHash"},
};

void decode_cookie(Decoder& d, const Json& json, const std::string& path, HashCookie& out) {
  ObjectReader r(d, json, path, {"name", "ttl", "path"});
  r.get("name", out.name, /*required=*/true);
  r.get_duration("ttl", out.ttl);
  r.get("path", out.path);
}

// A cookie's Path: what Set-Cookie carries, so nothing that could end the
// attribute or the header (';', ',' would be read as a separator by old
// clients, whitespace, control characters).
Result<void> check_cookie_path(std::string_view path, const std::string& at) {
  if (path.empty() || path.front() != '/') return invalid(at, "must start with '/'");
  if (path.size() > 1024) return invalid(at, "must be at most 1024 bytes");
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ';' || c == ',') {
      return invalid(at, "must not contain whitespace, control characters, ';' or ','");
    }
  }
  return {};
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, LoadBalancer& out) {
  ObjectReader r(d, json, path, {"policy", "hashOn"});
  get_enum_named(d, r, "policy", out.policy, kPolicies);
  const Json* hash_on = r.child("hashOn");
  if (hash_on == nullptr) return;
  HashOn& on = out.hash_on.emplace();
  ObjectReader h(d, *hash_on, r.field("hashOn"), {"header", "cookie", "clientAddress"});
  h.get("header", on.header);
  if (on.header) *on.header = ascii_lower(*on.header);
  if (const Json* cookie = h.child("cookie")) {
    decode_cookie(d, *cookie, h.field("cookie"), on.cookie.emplace());
  }
  h.get("clientAddress", on.client_address);
}

Result<void> validate(const LoadBalancer& balancer, const std::string& path) {
  const std::string at = path + ".hashOn";
  if (balancer.policy != BalancerPolicy::kConsistentHash) {
    if (balancer.hash_on) return invalid(at, "only valid with policy ConsistentHash");
    return {};
  }
  if (!balancer.hash_on) return invalid(at, "is required with policy ConsistentHash");
  const HashOn& on = *balancer.hash_on;
  const int set = (on.header ? 1 : 0) + (on.cookie ? 1 : 0) + (on.client_address ? 1 : 0);
  if (set != 1) return invalid(at, "must set exactly one of header, cookie, clientAddress");
  if (on.header) return check_lower_header_name(*on.header, at + ".header");
  if (on.cookie) {
    const std::string c = at + ".cookie";
    if (on.cookie->name.empty() || on.cookie->name.size() > 256 || !is_token(on.cookie->name)) {
      return invalid(c + ".name", "must be a cookie name (an RFC 9110 token, 1 to 256 bytes)");
    }
    if (on.cookie->ttl.count() < 0) return invalid(c + ".ttl", "must not be negative");
    return check_cookie_path(on.cookie->path, c + ".path");
  }
  return {};
}

Json to_json(const LoadBalancer& balancer) {
  Json out = {{"policy", std::string(enum_name(kPolicies, balancer.policy))}};
  if (!balancer.hash_on) return out;
  Json on = Json::object();
  if (balancer.hash_on->header) on["header"] = *balancer.hash_on->header;
  if (const auto& cookie = balancer.hash_on->cookie) {
    on["cookie"] = {
        {"name", cookie->name}, {"ttl", format_duration(cookie->ttl)}, {"path", cookie->path}};
  }
  if (balancer.hash_on->client_address) on["clientAddress"] = true;
  out["hashOn"] = std::move(on);
  return out;
}

}  // namespace archway::config
