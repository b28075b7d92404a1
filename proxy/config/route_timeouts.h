#pragma once
// The time limits one exchange runs under, from its route's timeouts and the
// snapshot's limits. A route timeout of 0 disables that limit (the APIRoute
// CRD's `0s`: "no limit", decided once for the controller and the proxy in
// docs/decisions.md); an unset one falls back to the snapshot's limits.
// Pure, so the rule is unit-tested without a worker.

#include <optional>

#include "proxy/config/snapshot.h"

namespace archway::config {

// The whole exchange, from the head to the last byte of the response,
// retries and their backoff included: `request`, else the snapshot's
// limits.requestTimeout. nullopt: no limit (0s).
[[nodiscard]] inline std::optional<Duration> request_timeout(const Timeouts& t,
                                                             const Limits& limits) {
  const Duration d = t.request.value_or(limits.request_timeout);
  if (d.count() == 0) return std::nullopt;
  return d;
}

// One attempt to a backend, from its start to the last byte of its
// response; each retry gets a fresh one. nullopt: unset or 0s (only the
// request timeout applies).
[[nodiscard]] inline std::optional<Duration> attempt_timeout(const Timeouts& t) {
  if (!t.backend_request || t.backend_request->count() == 0) return std::nullopt;
  return *t.backend_request;
}

// How long a request's streams (the client's request body, the backend's
// response) may stay without data once its first attempt is sent; only
// the rule's own `idle` (the proxy's idleTimeout default is for
// connections and tunnels). nullopt: unset or 0s.
[[nodiscard]] inline std::optional<Duration> stream_idle_timeout(const Timeouts& t) {
  if (!t.idle || t.idle->count() == 0) return std::nullopt;
  return *t.idle;
}

// How long an upgraded (WebSocket) tunnel may stay without a byte either
// way. nullopt: no idle limit.
[[nodiscard]] inline std::optional<Duration> tunnel_idle_timeout(const Timeouts& t,
                                                                 const Limits& limits) {
  const Duration idle = t.idle.value_or(limits.idle_timeout);
  if (idle.count() == 0) return std::nullopt;
  return idle;
}

}  // namespace archway::config
