#pragma once
// The policies of one route, each typed (docs/snapshot.md "Policies"). An
// absent policy is off. Included by snapshot.h, so nothing here knows JSON:
// codec.h holds the decoders, validators and to_json.

#include <optional>

#include "proxy/config/policies/aggregate.h"
#include "proxy/config/policies/auth.h"
#include "proxy/config/policies/body_mapping.h"
#include "proxy/config/policies/cache.h"
#include "proxy/config/policies/circuit_breaker.h"
#include "proxy/config/policies/cors.h"
#include "proxy/config/policies/rate_limit.h"
#include "proxy/config/policies/retries.h"
#include "proxy/config/policies/versioning.h"

namespace archway::config {

struct RoutePolicies {
  std::optional<Retries> retries;
  std::optional<CircuitBreaker> circuit_breaker;
  std::optional<Auth> auth;
  std::optional<RateLimit> rate_limit;
  std::optional<Cache> cache;
  std::optional<Cors> cors;
  std::optional<Aggregate> aggregate;
  // Route-level in an APIRoute: the controller copies it onto every rule.
  std::optional<Versioning> versioning;

  // JSON body mapping (docs/transform.md): of the request before it goes to
  // the backend, of the response before its head goes to the client.
  std::optional<BodyMapping> request_body;
  std::optional<BodyMapping> response_body;

  bool operator==(const RoutePolicies&) const = default;
};

}  // namespace archway::config
