#pragma once
// The time limits one exchange runs under, from its route's timeouts and the
// snapshot's limits. A route timeout of 0 disables that limit (the APIRoute
// CRD's `0s`: "no limit", decided once for the controller and the proxy in
// docs/decisions.md); an unset one falls back to the snapshot's limits.
// Pure, so the rule is unit-tested without a worker.

#include <optional>

#include "proxy/config/snapshot.h"

namespace archway::config {

// From the head to the last byte of the response: the shorter of `request`
// and `backendRequest` (one attempt), each when set and not 0. nullopt: the
// exchange has no time limit.
[[nodiscard]] inline std::optional<Duration> exchange_timeout(const Timeouts& t,
                                                              const Limits& limits) {
  std::optional<Duration> out = t.request.value_or(limits.request_timeout);
  if (out->count() == 0) out.reset();
  if (t.backend_request && t.backend_request->count() > 0 && (!out || *t.backend_request < *out)) {
    out = *t.backend_request;
  }
  return out;
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
