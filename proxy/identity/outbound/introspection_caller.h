#pragma once
// The real EndpointCall of a TokenIntrospector (token_introspector.h): the
// introspection request as an outbound fetch (proxy/outbound, docs/
// outbound.md) on this worker's HttpClient.
//
// One per worker, owned by it, worker-thread only. The worker whose
// request was first to miss the cache makes the call and owns the fetch
// here, not in that request's exchange: other workers' requests wait on the
// same answer, so the exchange going away must not cancel it. The fetch's
// timeout bounds every call; destroying the caller completes what is still
// in flight as "no answer" (fail closed), so no waiter is left hanging.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "proxy/identity/token_introspector.h"
#include "proxy/outbound/http_client.h"
#include "proxy/outbound/request.h"

namespace archway::identity {

class OutboundIntrospectionCaller {
 public:
  // How one call ended, for the worker's metrics (Options::observe).
  enum class Outcome {
    kActive,       // an RFC 7662 answer, active
    kInactive,     // an RFC 7662 answer, "active": false
    kError,        // an answer that is not RFC 7662
    kUnavailable,  // no answer (network, timeout, this caller destroyed)
  };
  using Observer = std::function<void(Outcome, std::chrono::steady_clock::duration)>;

  struct Options {
    std::chrono::milliseconds timeout{5000};
    // An introspection answer is a small object; a larger one is a fault.
    uint64_t max_response_bytes = 64 * 1024;
    outbound::TlsOptions tls;
    // Called once per call on this worker's thread when it ends, with how
    // long it took; may be empty.
    Observer observe;
  };

  // `client` belongs to the same worker and outlives this caller.
  OutboundIntrospectionCaller(outbound::HttpClient& client, Options options);
  explicit OutboundIntrospectionCaller(outbound::HttpClient& client)
      : OutboundIntrospectionCaller(client, Options{}) {}
  ~OutboundIntrospectionCaller();
  OutboundIntrospectionCaller(const OutboundIntrospectionCaller&) = delete;
  OutboundIntrospectionCaller& operator=(const OutboundIntrospectionCaller&) = delete;

  // For TokenIntrospector::introspect on this worker; valid while this
  // caller lives. `complete` runs on this worker's loop, later.
  [[nodiscard]] EndpointCall endpoint_call();

  void call(const std::string& url, IntrospectionRequest request, EndpointComplete complete);

  [[nodiscard]] size_t in_flight() const { return in_flight_.size(); }

 private:
  struct InFlight {
    outbound::FetchHandle fetch;
    EndpointComplete complete;
    std::chrono::steady_clock::time_point started;
  };

  void observe(Outcome outcome, std::chrono::steady_clock::time_point started) const;

  outbound::HttpClient& client_;
  const Options options_;
  uint64_t next_id_ = 0;
  std::unordered_map<uint64_t, InFlight> in_flight_;
};

}  // namespace archway::identity
