#pragma once
// One request/response exchange: routes the request on the table its
// connection pinned, runs the route's filter chain (policies, request
// transformation, or the route's local answer: redirect, direct response;
// docs/policies.md), then a backend, and relays the response to the client
// side through the chain's response hooks, with back-pressure in both
// directions. Owned by the client codec (an HTTP/1 connection or an
// HTTP/2 stream); worker-thread only.
//
// Status mapping (DESIGN.md §4): no route 404, no endpoint 503, connect
// failure 502, backend timeout 504; bodies are small JSON. A failed attempt
// may be retried on another endpoint first (exchange_retry.cc,
// docs/resilience.md "Retries").

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "proxy/exchange/exchange_host.h"
#include "proxy/exchange/table_context.h"
#include "proxy/filters/filter_chain.h"
#include "proxy/http/message.h"
#include "proxy/metrics/upstream_stats.h"
#include "proxy/net/deadline.h"
#include "proxy/net/recycled.h"
#include "proxy/resilience/breaker.h"
#include "proxy/resilience/retry_budget.h"
#include "proxy/resilience/retry_policy.h"
#include "proxy/routing/route_table.h"
#include "proxy/tracing/request_trace.h"

namespace archway::backend {
class H1Connection;
}

namespace archway::exchange {

// The message vocabulary (http/message.h), used unqualified in this folder.
using http::BackendEvents;
using http::BackendStream;
using http::Headers;
using http::Request;
using http::Response;
using http::ResponseSink;

class Exchange final : public http::BackendEvents,
                       private filters::ChainOwner,
                       private filters::RouteBackends,
                       private net::Deadline,
                       public net::Recycled<Exchange> {
 public:
  Exchange(ExchangeHost& host, std::shared_ptr<const TableContext> table, http::ResponseSink& sink);
  ~Exchange() override;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // The request head is complete. `request` belongs to the codec and must
  // outlive the exchange; the exchange rewrites it in place.
  void start(Request& request);
  // Request body from the client. Returns false when the client should stop
  // sending until ResponseSink::resume_request_body.
  bool on_request_data(std::string_view data, bool end_stream);
  void on_request_trailers(Headers& trailers);
  // Raw bytes from the client after a WebSocket upgrade. Returns false when
  // the client should stop until ResponseSink::resume_request_body.
  bool on_tunnel_data(std::string_view data);
  // The sink's queue fell below the watermark.
  void on_client_drained();
  // The client went away (connection closed, stream reset).
  void on_client_gone();

  [[nodiscard]] bool response_complete() const { return response_complete_; }
  [[nodiscard]] bool response_started() const { return response_started_; }
  [[nodiscard]] int status() const { return status_; }
  // The codec answers for the exchange (HTTP/1 bad body framing: 400); the
  // access log records that status.
  void set_local_status(int status) { status_ = status; }
  // The backend is paused until the client side drains (on_client_drained).
  [[nodiscard]] bool backend_paused() const { return backend_paused_; }

  // BackendEvents
  void on_backend_head(Response& head, bool end_stream) override;
  void on_backend_data(std::string_view data, bool end_stream) override;
  void on_backend_trailers(Headers& trailers) override;
  void on_backend_failure(Failure failure) override;
  void on_backend_drained() override;
  void on_backend_replaced(std::shared_ptr<backend::H1Connection> connection) override;

 private:
  // ChainOwner
  void on_chain_continue() override;
  void on_chain_local_reply(filters::LocalReply reply) override;
  void cancel_chain();
  // RouteBackends
  std::optional<std::string> http_endpoint() override;
  std::optional<std::string> cluster_http_endpoint(std::string_view cluster) override;
  void respond(int status, Headers headers, std::string body);
  void respond_error(int status, std::string_view message);
  // A filter's answer instead of a backend failure or 5xx head (filter.h
  // on_backend_error): true when one was sent.
  bool answered_backend_error(int status);
  // Cuts a response already started: the client connection or stream is
  // closed and the filters learn the response is incomplete.
  void abort_client_response();
  void forward();
  // Balancing (exchange_balancing.cc): chooses endpoint_ in cluster_ for
  // an attempt and counts it in flight there until release_backend.
  void pick_endpoint();
  // `picked`, or the next endpoint neither ejected nor unhealthy (panic
  // aside: resilience/endpoint_choice.h).
  [[nodiscard]] size_t usable_endpoint(size_t picked) const;
  // ConsistentHash: the hash of the request's key; nullopt without one.
  // A cookie key the request lacks is made up and set in affinity_cookie_.
  [[nodiscard]] std::optional<uint64_t> balancing_key();
  void send_held_body();
  // Whole-body transformation (exchange_body.cc, docs/transform.md): only
  // for a chain whose filters have_body_transform(). Each returns true when
  // it took the exchange over (buffering, or an answer was sent).
  bool start_request_body_buffering();
  bool collect_request_data(std::string_view data, bool end_stream);
  bool forward_buffered_request(bool end_stream);
  bool start_response_body_buffering(const Response& head);
  void collect_response_data(std::string_view data, bool end_stream);
  void send_held_response(bool end_stream);
  bool start_backend();
  void complete();
  void arm_tunnel_idle_timer();
  // Deadline: the request timeout, the attempt's timeout, the end of a
  // retry's backoff (one Deadline at the earliest: update_deadline), or
  // the tunnel's idle limit.
  void on_deadline() override;
  void update_deadline();
  // Data moved on a stream bounded by stream_idle_.
  void note_stream_activity() {
    if (stream_idle_.count() != 0) last_activity_ = std::chrono::steady_clock::now();
  }
  // stream_idle_ ran out: 408 while the client's body is awaited, else as
  // the request timeout.
  void on_stream_idle();
  // The request timeout, or the attempt's with no retry left: 504, or a
  // response cut short.
  void on_timeout();
  void release_backend(bool complete);
  // Retries (exchange_retry.cc, docs/resilience.md "Retries").
  // The route's policy when it retries at all, else null.
  [[nodiscard]] const config::Retries* retries() const;
  // Request body towards the backend, kept for a retry while it fits the
  // replay buffer.
  bool send_to_backend(std::string_view data, bool end_stream);
  // Request body that comes while a retry waits out its backoff.
  bool hold_for_retry(std::string_view data);
  // The attempt now starting: its timeout, its outcome not yet recorded.
  void begin_attempt();
  // The current attempt failed before any response byte reached the
  // client: true when a retry is scheduled (the exchange goes on), false
  // when the caller answers the failure. `head`: the backend's answer for
  // kStatus (Retry-After is read from it).
  bool retry_attempt(resilience::AttemptFailure failure, const Response* head);
  // The backoff is over: the next attempt, on another endpoint when the
  // cluster has one.
  void start_retry();
  // Lets go of the attempt's backend stream; the exchange's own units
  // (maxRequests, retry budget) stay.
  void end_attempt();
  // Circuit breakers (exchange_resilience.cc, docs/resilience.md): a unit
  // of `limit` of the cluster into `slot`, or false once the 503 of the
  // overflow is answered.
  bool admit(resilience::BreakerLimit limit, resilience::BreakerSlot& slot);
  // The same for the new HTTP/1.1 connection in h1_: its maxConnections
  // unit, and this request's maxPendingRequests unit, both handed to the
  // connection (it gives the pending one back once it is up).
  bool admit_new_connection();
  void respond_overflow(resilience::BreakerLimit limit);
  // Outlier detection: the endpoint's answer (5xx or failure: `failed`),
  // once per exchange.
  void record_outcome(bool failed);
  // Bodyless, with an idempotent method: may be sent again on a fresh
  // connection after a reused one failed (RFC 9110 §9.2.2).
  [[nodiscard]] bool resendable() const;
  void log_access();  // exchange_access_log.cc; from the destructor when the log is on
  // archway_upstream_* (exchange_upstream.cc): the open attempt got a
  // head, or ended without one (or, for kReset, broke off mid-response).
  void upstream_answered(int status);
  void upstream_failed(metrics::UpstreamFailure failure);

  ExchangeHost& worker_;                       // the worker running this exchange
  std::shared_ptr<const TableContext> table_;  // pinned for the whole exchange
  ResponseSink& sink_;
  Request* request_ = nullptr;
  std::string path_;        // normalised, rewritten; what the backend gets
  std::string_view query_;  // in request_->target, after '?'
  const routing::CompiledRoute* route_ = nullptr;
  std::optional<routing::RouteMatch> match_;  // route_'s match: captures for rewrites
  const TableContext::ClusterInfo* cluster_ = nullptr;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::shared_ptr<backend::H1Connection> h1_;
  BackendStream* backend_ = nullptr;          // h1_ or an HTTP/2 backend stream
  std::chrono::milliseconds tunnel_idle_{0};  // 0: no idle limit
  // The rule's timeouts.idle for the request's streams (before any
  // upgrade); 0: none. Measured from last_activity_.
  std::chrono::milliseconds stream_idle_{0};
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_activity_;  // tunnel, or stream_idle_
  uint64_t body_bytes_ = 0;  // request body so far (limits.maxRequestBodyBytes)
  uint64_t bytes_out_ = 0;   // response body (or tunnel) bytes towards the client
  // For the access log: when the backend's head came, the client's
  // authority before rewrite.hostname.
  std::chrono::steady_clock::time_point upstream_head_{};
  std::string client_authority_;
  // The route's filters; constructed only for a route that has some. The
  // context before the chain: the chain is destroyed (cancelling a
  // suspended filter) while what it points at still lives.
  std::optional<filters::FilterContext> filter_ctx_;
  std::optional<filters::FilterChain> chain_;
  // Request body that came while the chain was suspended, sent once the
  // backend is chosen (bounded: the client is told to stop sending).
  std::string held_body_;
  Headers held_trailers_;
  bool held_end_ = false;
  bool body_held_ = false;
  // Body mapping: the request body is collected in held_body_ up to
  // body_limit_; the response head waits in held_response_ while its body
  // is collected in response_body_. Untouched on routes without it.
  bool collecting_request_ = false;
  bool collecting_response_ = false;
  bool reject_over_limit_ = false;
  uint64_t body_limit_ = 0;
  std::optional<Response> held_response_;
  std::string response_body_;
  int status_ = 0;
  bool response_started_ = false;
  bool response_complete_ = false;
  bool request_complete_ = false;
  bool request_body_sent_ = false;  // some body already went to the backend
  bool backend_paused_ = false;
  bool tunnel_ = false;
  bool retried_ = false;
  bool outcome_recorded_ = false;  // for the current attempt
  size_t endpoint_index_ = 0;      // endpoint_ in cluster_->endpoints (outlier detection)
  // maxRequests unit of cluster_ for the whole exchange (across attempts:
  // one request in flight at a time), given back by release_backend (and by
  // destruction) on every way an exchange ends.
  resilience::BreakerSlot request_slot_;
  // This attempt's request in flight on endpoint_ (least request).
  balancing::InFlight in_flight_;
  // Set-Cookie for a ConsistentHash cookie the request did not carry;
  // added to the backend's response head.
  std::string affinity_cookie_;
  // Timeouts and retries. Each an absolute time, none when not running;
  // the one net::Deadline is armed at the earliest.
  std::optional<net::Deadline::Clock::time_point> request_deadline_;
  std::optional<net::Deadline::Clock::time_point> attempt_deadline_;
  std::optional<net::Deadline::Clock::time_point> backoff_until_;
  // The request body as sent so far, while the route retries and it fits
  // kReplayLimit; replay_overflow_ once it cannot be sent again.
  std::string replay_;
  bool replay_overflow_ = false;
  uint32_t attempts_ = 0;  // attempts started (the access log's `attempts`)
  // The attempt in flight: when it started, and whether its outcome is
  // still to be counted (archway_upstream_*).
  std::chrono::steady_clock::time_point attempt_started_{};
  bool attempt_open_ = false;
  // The cluster's retry budget: this request, and its retry in flight.
  // Raw pointers into state the pinned table_ keeps alive.
  resilience::BudgetSlot active_slot_;
  resilience::BudgetSlot retry_slot_;
  // This request's spans (docs/observability.md "Tracing"): hooks at the
  // start, each attempt's begin, answer and end, and the destructor; each
  // returns at once when tracing is off or the request is not sampled.
  tracing::RequestTrace trace_;
};

}  // namespace archway::exchange
