#pragma once
// One request's spans (docs/observability.md "Tracing"): a SERVER span for
// the exchange and a CLIENT span per backend attempt, children of it. The
// exchange calls these hooks at the points of its life; each returns at
// once when tracing is off (no tracer) or the request is not sampled, so
// the exchange needs no tracing logic of its own.
//
// Sampled: every attempt's request carries traceparent
// 00-<trace>-<client span>-01, so the backend's spans are children of the
// attempt; tracestate is forwarded untouched. Not sampled: a valid incoming
// traceparent is forwarded as it came (the cheapest choice: no per-attempt
// rewrite for the 99 % of requests that are not recorded), and a request
// without one gets a new one with flags 00, written by the exchange's
// forwarding headers (new_trace_flags()) only when it is forwarded, so an
// unsampled request costs no formatting and no header walk here.
//
// Worker thread only; lives in the exchange.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string_view>

#include "proxy/http/message.h"
#include "proxy/tracing/span.h"

namespace archway::tracing {

class Tracer;

// http.request.method's known values; anything else is "_OTHER" and the
// span name says "HTTP" (OpenTelemetry HTTP semantic conventions).
[[nodiscard]] bool known_method(std::string_view method);

// "{method} {route}", "{method}" without a route.
[[nodiscard]] std::string server_span_name(std::string_view method, std::string_view route);

class RequestTrace {
 public:
  // The request head came. Decides sampling and, when tracing is on, makes
  // sure the request carries a valid traceparent (the decision in its
  // flags). `tracer` null: nothing at all.
  void start(Tracer* tracer, http::Request& request, std::mt19937_64& rng);
  [[nodiscard]] bool sampled() const { return active_ != nullptr; }
  // The flags of a traceparent generated for a request that came without
  // a valid one: 01 when tracing is off (as before tracing existed: the
  // backend's own tracer may record it), 00 when the tracer did not sample.
  [[nodiscard]] uint8_t new_trace_flags() const { return new_trace_flags_; }

  // An attempt starts (attempt 1, 2, …): ends the previous attempt's span
  // if still open, opens a CLIENT span and points the request's
  // traceparent at it.
  void begin_attempt(std::string_view cluster, const boost::asio::ip::tcp::endpoint& endpoint,
                     uint32_t attempt, std::string_view method, http::Headers& headers,
                     std::mt19937_64& rng);
  // The backend's status for the open attempt.
  void attempt_status(int status);
  // The open attempt failed: error.type (timeout, connect-failure, reset…).
  // Ignored once the attempt has a status or an error.
  void attempt_failed(std::string_view error_type);
  // The same for a backend's failure: connect-failure, refused-stream,
  // timeout, reset, protocol-error (the words of the route's retry policy).
  void attempt_failed(http::BackendEvents::Failure failure);
  // The open attempt is over (response complete, retried, or abandoned).
  void end_attempt();
  // The exchange is over: ends the SERVER span and hands both kinds to the
  // exporter. `status` 0: no response was sent (the client went away).
  void finish(int status, std::string_view route, std::string_view rule);

 private:
  // Only a sampled request has one (one allocation): an exchange that is
  // not recorded carries a null pointer, nothing more.
  struct Active {
    Tracer* tracer = nullptr;
    SpanRecord server;
    SpanRecord client;
    bool client_open = false;
    bool client_done = false;  // status or error recorded for the open attempt
  };
  std::unique_ptr<Active> active_;
  uint8_t new_trace_flags_ = 1;
};

}  // namespace archway::tracing
