#include "proxy/identity/outbound/introspection_caller.h"

#include <utility>

#include "proxy/identity/introspection_response.h"

namespace archway::identity {

OutboundIntrospectionCaller::OutboundIntrospectionCaller(outbound::HttpClient& client,
                                                         Options options)
    : client_(client), options_(std::move(options)) {}

OutboundIntrospectionCaller::~OutboundIntrospectionCaller() {
  auto in_flight = std::move(in_flight_);
  in_flight_.clear();
  for (auto& entry : in_flight) {
    InFlight& pending = entry.second;
    pending.fetch.cancel();
    observe(Outcome::kUnavailable, pending.started);
    if (pending.complete) pending.complete(std::nullopt);
  }
}

EndpointCall OutboundIntrospectionCaller::endpoint_call() {
  return [this](const std::string& url, IntrospectionRequest request, EndpointComplete complete) {
    call(url, std::move(request), std::move(complete));
  };
}

void OutboundIntrospectionCaller::call(const std::string& url, IntrospectionRequest request,
                                       EndpointComplete complete) {
  outbound::OutboundRequest fetch;
  fetch.method = "POST";
  fetch.url = url;
  for (auto& [name, value] : request.headers) {
    fetch.headers.push_back({std::move(name), std::move(value)});
  }
  fetch.body = std::move(request.body);
  fetch.timeout = options_.timeout;
  fetch.max_response_bytes = options_.max_response_bytes;
  fetch.tls = options_.tls;

  const uint64_t id = next_id_++;
  InFlight& entry = in_flight_[id];
  entry.complete = std::move(complete);
  entry.started = std::chrono::steady_clock::now();
  // The callback runs on this worker's loop, never inside fetch(), and never
  // once the handle is gone (so `this` is alive whenever it runs).
  entry.fetch = client_.fetch(std::move(fetch), [this, id](Result<outbound::OutboundResponse> r) {
    auto node = in_flight_.extract(id);
    if (node.empty()) return;
    EndpointComplete done = std::move(node.mapped().complete);
    if (!r.ok()) {
      observe(Outcome::kUnavailable, node.mapped().started);
      done(std::nullopt);
      return;
    }
    if (options_.observe) {
      // A second parse, once per call (not per request): the introspector
      // parses for itself, on whichever thread it completes.
      const IntrospectionResult parsed = parse_introspection_response(r->status, r->body);
      observe(parsed.ok()                                         ? Outcome::kActive
              : parsed.error() == IntrospectionFailure::kInactive ? Outcome::kInactive
                                                                  : Outcome::kError,
              node.mapped().started);
    }
    done(EndpointResponse{r->status, std::move(r->body)});
  });
}

void OutboundIntrospectionCaller::observe(Outcome outcome,
                                          std::chrono::steady_clock::time_point started) const {
  if (options_.observe) options_.observe(outcome, std::chrono::steady_clock::now() - started);
}

}  // namespace archway::identity
