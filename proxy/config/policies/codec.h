#pragma once
// Decoders, validators and canonical JSON of the route policies, one
// overload set per policy (implemented in <policy>.cc). The snapshot parser
// uses them under `policies`, and the controller uses the very same ones on
// an APIRoute rule, so the two can never accept different things:
//   - decode: JSON types, known fields, enum spellings, and the
//     normalisation the structs promise (lower-case origins and header names);
//   - validate: values, limits and the CRD's CEL rules, for a decoded policy
//     or one built in code;
//   - to_json: the canonical form (every member, optionals only when set),
//     which decodes back to an equal struct.
// Errors name the field under the `path` given ("....policies.cors.allowOrigins[2]").

#include <string>
#include <string_view>
#include <unordered_set>

#include "common/result.h"
#include "proxy/config/json_decoder.h"
#include "proxy/config/policies/health_check.h"
#include "proxy/config/policies/load_balancer.h"
#include "proxy/config/policies/route_policies.h"

namespace archway::config {

void decode(Decoder& decoder, const Json& json, const std::string& path, Retries& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, CircuitBreaker& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, Auth& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, RateLimit& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, Cache& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, Cors& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, Aggregate& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, Versioning& out);

void decode(Decoder& decoder, const Json& json, const std::string& path, BodyMapping& out);
// A cluster's loadBalancer (not a route policy; the snapshot's clusters and
// the controller's APIRoute rules both use it).
void decode(Decoder& decoder, const Json& json, const std::string& path, LoadBalancer& out);
// A cluster's healthCheck (like loadBalancer, a cluster field).
void decode(Decoder& decoder, const Json& json, const std::string& path, HealthCheck& out);
void decode(Decoder& decoder, const Json& json, const std::string& path, RoutePolicies& out);

[[nodiscard]] Result<void> validate(const Retries& retries, const std::string& path);
[[nodiscard]] Result<void> validate(const CircuitBreaker& breaker, const std::string& path);
[[nodiscard]] Result<void> validate(const Auth& auth, const std::string& path);
[[nodiscard]] Result<void> validate(const RateLimit& limit, const std::string& path);
[[nodiscard]] Result<void> validate(const Cache& cache, const std::string& path);
[[nodiscard]] Result<void> validate(const Cors& cors, const std::string& path);
[[nodiscard]] Result<void> validate(const Versioning& versioning, const std::string& path);

[[nodiscard]] Result<void> validate(const BodyMapping& mapping, const std::string& path);
[[nodiscard]] Result<void> validate(const LoadBalancer& balancer, const std::string& path);
[[nodiscard]] Result<void> validate(const HealthCheck& check, const std::string& path);
// Parts must name clusters of the snapshot, as backends do.
[[nodiscard]] Result<void> validate(const Aggregate& aggregate, const std::string& path,
                                    const std::unordered_set<std::string>& clusters);
[[nodiscard]] Result<void> validate(const RoutePolicies& policies, const std::string& path,
                                    const std::unordered_set<std::string>& clusters);

[[nodiscard]] Json to_json(const Retries& retries);
[[nodiscard]] Json to_json(const CircuitBreaker& breaker);
[[nodiscard]] Json to_json(const Auth& auth);
[[nodiscard]] Json to_json(const RateLimit& limit);
[[nodiscard]] Json to_json(const Cache& cache);
[[nodiscard]] Json to_json(const Cors& cors);
[[nodiscard]] Json to_json(const Aggregate& aggregate);
[[nodiscard]] Json to_json(const Versioning& versioning);

[[nodiscard]] Json to_json(const BodyMapping& mapping);
[[nodiscard]] Json to_json(const LoadBalancer& balancer);
[[nodiscard]] Json to_json(const HealthCheck& check);
[[nodiscard]] Json to_json(const RoutePolicies& policies);

// Fail closed (enforcement.cc): a route carrying a policy that this proxy
// does not enforce and that must never be skipped (auth: it would serve
// without authentication; aggregate: there is nothing else to answer with)
// is refused, naming the policy. auth is enforced per method: the names
// are "auth.jwt", "auth.apiKey" and "auth.oauth2Introspection" ("auth"
// alone is never enforced).
[[nodiscard]] bool enforced_by_this_proxy(std::string_view policy);
[[nodiscard]] Result<void> check_enforced(const RoutePolicies& policies, const std::string& path);

// decode + validate of one policy that references no cluster, for the
// controller's APIRoute rules: the JSON is the rule's field, `path` its name
// ("spec.rules[0].cors").
template <typename Policy>
[[nodiscard]] Result<Policy> parse_policy(const Json& json, const std::string& path) {
  Decoder decoder;
  Policy out;
  decode(decoder, json, path, out);
  if (decoder.failed()) return decoder.error();
  if (auto valid = validate(out, path); !valid.ok()) return valid.error();
  return out;
}

}  // namespace archway::config
