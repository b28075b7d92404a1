#include "proxy/exchange/exchange.h"

#include "proxy/backend/h1_connection.h"
#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/config/route_timeouts.h"
#include "proxy/exchange/access_log.h"
#include "proxy/exchange/request_rewrite.h"
#include "proxy/exchange/route_request.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/routing/path_normalize.h"
#include "proxy/routing/route_actions.h"

namespace archway::exchange {

namespace asio = boost::asio;
using http::kHighWatermark;

namespace {

// Backend answers a filter may replace (filter.h on_backend_error): the
// statuses RFC 5861's stale-if-error names.
bool is_gateway_error(int status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

resilience::AttemptFailure attempt_failure(http::BackendEvents::Failure failure) {
  switch (failure) {
    case http::BackendEvents::Failure::kConnect:
      return resilience::AttemptFailure::kConnect;
    case http::BackendEvents::Failure::kRefused:
      return resilience::AttemptFailure::kRefused;
    case http::BackendEvents::Failure::kTimeout:
      return resilience::AttemptFailure::kTimeout;
    case http::BackendEvents::Failure::kReset:
    case http::BackendEvents::Failure::kProtocol:
      break;
  }
  return resilience::AttemptFailure::kReset;
}

metrics::UpstreamFailure upstream_failure(http::BackendEvents::Failure failure) {
  switch (failure) {
    case http::BackendEvents::Failure::kConnect:
      return metrics::UpstreamFailure::kConnect;
    case http::BackendEvents::Failure::kTimeout:
      return metrics::UpstreamFailure::kTimeout;
    case http::BackendEvents::Failure::kRefused:
    case http::BackendEvents::Failure::kReset:
    case http::BackendEvents::Failure::kProtocol:
      break;
  }
  return metrics::UpstreamFailure::kReset;
}

}  // namespace

Exchange::Exchange(ExchangeHost& host, std::shared_ptr<const TableContext> table,
                   http::ResponseSink& sink)
    : worker_(host),
      table_(std::move(table)),
      sink_(sink),
      started_(std::chrono::steady_clock::now()) {}

Exchange::~Exchange() {
  if (worker_.access_log().enabled()) log_access();
  worker_.deadlines().clear(*this);
  release_backend(false);
  if (trace_.sampled()) {
    std::string_view route, rule;  // as the access log names them
    if (route_ != nullptr) {
      const auto& r = route_->route;
      route = r.route_name.empty() ? r.name : r.route_name;
      rule = r.rule_name;
    }
    trace_.finish(status_, route, rule);
  }
}

void Exchange::release_backend(bool complete) {
  trace_.end_attempt();
  request_slot_.release();
  in_flight_.release();
  retry_slot_.release();
  active_slot_.release();
  if (backend_ != nullptr) {
    backend_->detach(complete);
    backend_ = nullptr;
  }
  h1_.reset();
}

void Exchange::start(Request& request) {
  // The codec's request object outlives the exchange: use it in place, so
  // its header vector keeps its capacity from one request to the next.
  request_ = &request;
  request_complete_ = !request_->has_body;
  trace_.start(worker_.tracer(), request, worker_.rng());
  if (request_->malformed != nullptr) {
    respond_error(400, request_->malformed);
    return;
  }
  if (table_ == nullptr) {
    respond_error(503, "no configuration");
    return;
  }
  const auto q = request_->target.find('?');
  const std::string_view raw_path = std::string_view(request_->target).substr(0, q);
  const std::string_view query = q == std::string::npos
                                     ? std::string_view{}
                                     : std::string_view(request_->target).substr(q + 1);
  if (request_->target == "*") {
    path_ = "*";
  } else {
    auto normalized = routing::normalize_path(raw_path);
    if (!normalized.ok()) {
      respond_error(400, "invalid path");
      return;
    }
    path_ = std::move(normalized).value();
  }
  const std::string host = routing::normalize_host(request_->authority);
  auto& fields = worker_.header_fields();  // reused: no allocation per request
  fields.clear();
  for (const auto& h : request_->headers) fields.push_back({h.name, h.value});
  routing::RequestHead head{request_->method, host, path_, query, fields};
  auto match = route_request(*table_, head, request_->headers);
  if (!match) {
    respond_error(404, "no route");
    return;
  }
  route_ = match->route;
  match_ = std::move(match);
  query_ = query;
  // Armed before the chain, so a filter that suspends is bounded by the
  // request timeout too (504 when it fires). From the start of the
  // exchange: the head was complete then.
  if (auto timeout = config::request_timeout(route_->route.timeouts, table_->limits())) {
    request_deadline_ = started_ + *timeout;
    update_deadline();
  }
  const filters::CompiledChain& chain = table_->chain(*route_);
  if (chain.empty()) {
    on_chain_continue();
    return;
  }
  filter_ctx_.emplace(*request_, *match_, path_, query_, client_authority_, worker_.stats(),
                      &worker_.http_client(), &worker_.introspection_caller());
  filter_ctx_->backends = this;
  chain_.emplace(static_cast<filters::ChainOwner&>(*this));
  chain_->start(chain, *filter_ctx_);
}

void Exchange::on_chain_local_reply(filters::LocalReply reply) {
  if (body_held_) {
    // The chain held the client's body; let it finish, to be discarded.
    body_held_ = false;
    held_body_.clear();
    sink_.resume_request_body();
  }
  respond(reply.status, std::move(reply.headers), std::move(reply.body));
}

std::optional<std::string> Exchange::http_endpoint() {
  const config::WeightedBackend* chosen = routing::pick_backend(*route_, worker_.rng()());
  if (chosen == nullptr) return std::nullopt;
  return cluster_http_endpoint(chosen->cluster);
}

std::optional<std::string> Exchange::cluster_http_endpoint(std::string_view cluster) {
  auto it = table_->clusters.find(std::string(cluster));
  if (it == table_->clusters.end() || it->second.endpoints.empty()) return std::nullopt;
  if (it->second.cluster->protocol != config::ClusterProtocol::kHttp1) return std::nullopt;
  const auto& endpoint =
      it->second.endpoints[worker_.next_endpoint(it->first, it->second.endpoints.size())];
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

void Exchange::cancel_chain() {
  if (chain_) chain_->cancel();
}

void Exchange::on_chain_continue() {
  // limits.maxRequestBodyBytes: a declared length over it is refused before
  // anything reaches a backend; a streamed body is counted in on_request_data.
  const uint64_t max_body = table_->limits().max_request_body_bytes;
  if (max_body > 0 && request_->content_length && *request_->content_length > max_body) {
    respond_error(413, "request body too large");
    return;
  }
  if (chain_ && request_->has_body && chain_->has_body_transform() &&
      start_request_body_buffering()) {
    return;
  }
  forward();
}

void Exchange::forward() {
  const config::WeightedBackend* chosen = routing::pick_backend(*route_, worker_.rng()());
  auto it = chosen ? table_->clusters.find(chosen->cluster) : table_->clusters.end();
  if (it == table_->clusters.end() || it->second.endpoints.empty()) {
    if (answered_backend_error(503)) return;
    respond_error(503, "no healthy endpoint");
    return;
  }
  cluster_ = &it->second;
  pick_endpoint();
  if (!admit(resilience::BreakerLimit::kRequests, request_slot_)) return;
  if (const auto& budget = cluster_->resilience.retry_budget) active_slot_ = budget->enter();

  // What the backend receives: the path (rewritten by the chain's request
  // transformation, if any) + query, and the forwarding headers.
  const auto q = request_->target.find('?');
  if (q != std::string::npos) path_.append(request_->target, q, std::string::npos);
  add_forwarding_headers(request_->headers, request_->client_ip, request_->scheme, worker_.rng(),
                         trace_.new_trace_flags());

  attempts_ = 1;
  begin_attempt();
  if (!start_backend()) {
    if (answered_backend_error(502)) return;
    respond_error(502, "backend unavailable");
    return;
  }
  if (body_held_) send_held_body();
}

void Exchange::send_held_body() {
  body_held_ = false;
  if (backend_ == nullptr) return;
  bool more = true;
  if (!held_body_.empty() || held_end_) {
    more = send_to_backend(held_body_, held_end_);
    held_body_.clear();
  }
  // Trailers end the body whatever the backend's buffer says: they were
  // the client's last word, and nothing more will come to send them later.
  if (!held_trailers_.empty() && backend_ != nullptr) backend_->send_trailers(held_trailers_);
  // A full buffer: on_backend_drained resumes the client.
  if (more && !request_complete_) sink_.resume_request_body();
}

bool Exchange::start_backend() {
  const auto& cluster = *cluster_->cluster;
  const bool https = cluster.protocol == config::ClusterProtocol::kHttps;
  // HTTPS: HTTP/2 unless this endpoint chose http/1.1 by ALPN
  // (backend/h2_sessions.h). A WebSocket always takes HTTP/1.1 to the same
  // endpoints, H2C clusters included (docs/proxy.md: servers of h2c by
  // prior knowledge serve HTTP/1.1 on the same port; RFC 8441 towards
  // backends is not implemented).
  if (!request_->websocket &&
      (cluster.protocol == config::ClusterProtocol::kH2c ||
       (https && worker_.h2_sessions().alpn(endpoint_, cluster_->client_tls.get()) !=
                     backend::H2Sessions::Alpn::kHttp1))) {
    auto opened = worker_.h2_sessions().open(cluster, cluster_->client_tls.get(), endpoint_,
                                             *request_, path_, this, &worker_.stats());
    if (opened.error == backend::H2Sessions::OpenError::kOverloaded) {
      if (!answered_backend_error(503)) respond_error(503, "backend overloaded");
      return true;
    }
    backend_ = opened.stream;
    if (backend_ == nullptr) upstream_failed(metrics::UpstreamFailure::kConnect);
    return backend_ != nullptr;
  }
  // HTTP/1.1: the head is serialised into the worker's scratch string, which
  // the connection copies into its output buffer (a retry serialises the
  // same request again): no allocation per request.
  const bool chunked = request_->has_body && !request_->content_length;
  {
    auto& h = worker_.scratch();
    h.clear();
    h.append(request_->method).append(" ").append(path_).append(" HTTP/1.1\r\nhost: ");
    h.append(request_->authority).append("\r\n");
    for (const auto& f : request_->headers)
      h.append(f.name).append(": ").append(f.value).append("\r\n");
    if (request_->content_length) {
      h.append("content-length: ").append(std::to_string(*request_->content_length)).append("\r\n");
    } else if (chunked) {
      h.append("transfer-encoding: chunked\r\n");
    }
    if (request_->websocket) h.append("connection: upgrade\r\nupgrade: websocket\r\n");
    h.append("\r\n");
  }
  const auto connect_timeout = cluster.connect_timeout;
  backend::TlsTarget tls;
  if (https) {
    if (!cluster_->client_tls) {
      upstream_failed(metrics::UpstreamFailure::kConnect);
      return false;
    }
    tls.ctx = cluster_->client_tls.get();
    if (cluster.tls_server_name) tls.server_name = *cluster.tls_server_name;
    tls.verify = cluster.tls_verify;
  }
  const backend::TlsTarget* target = https ? &tls : nullptr;
  h1_ = retried_ ? worker_.pool().create(endpoint_, connect_timeout, target)
                 : worker_.pool().acquire(endpoint_, connect_timeout, target, !resendable());
  if (h1_->connecting()) {
    if (!admit_new_connection()) return true;  // answered: 503
    h1_->count_as(metrics::CountedConnection(worker_.stats().connection_gauge(cluster.name)));
  }
  backend_ = h1_.get();
  h1_->start(this, worker_.scratch(), chunked, request_->method == "HEAD",
             request_->has_body || request_->websocket);
  return true;
}

bool Exchange::on_request_data(std::string_view data, bool end_stream) {
  if (end_stream) request_complete_ = true;
  note_stream_activity();
  body_bytes_ += data.size();
  const uint64_t max_body = table_ ? table_->limits().max_request_body_bytes : 0;
  if (max_body > 0 && body_bytes_ > max_body && !response_complete_) {
    release_backend(false);
    if (response_started_) {
      abort_client_response();
    } else {
      respond_error(413, "request body too large");
    }
    return true;
  }
  if (collecting_request_) return collect_request_data(data, end_stream);
  if (backend_ == nullptr) {
    if (backoff_until_) return hold_for_retry(data);
    if (!chain_ || !chain_->suspended()) return true;  // local response: discard the body
    // The chain decides later: keep what came, and stop the client.
    body_held_ = true;
    held_body_.append(data);
    held_end_ = end_stream;
    return false;
  }
  return send_to_backend(data, end_stream);
}

void Exchange::on_request_trailers(Headers& trailers) {
  request_complete_ = true;
  replay_overflow_ = true;  // a retry resends bodies without trailers only
  if (collecting_request_) {
    // A body with trailers keeps its framing: it goes on unmapped.
    collecting_request_ = false;
    held_trailers_ = trailers;
    forward_buffered_request(true);
    return;
  }
  if (backend_ != nullptr) {
    backend_->send_trailers(trailers);
  } else if (backoff_until_) {
    held_trailers_ = trailers;  // the retry's attempt sends them
  } else if (chain_ && chain_->suspended()) {
    body_held_ = true;
    held_trailers_ = trailers;
  }
}

bool Exchange::on_tunnel_data(std::string_view data) {
  last_activity_ = std::chrono::steady_clock::now();
  body_bytes_ += data.size();
  return h1_ ? h1_->send_raw(data) : true;
}

void Exchange::on_client_drained() {
  if (backend_paused_ && backend_ != nullptr) {
    backend_paused_ = false;
    backend_->pause_response(false);
  }
}

void Exchange::on_client_gone() {
  worker_.deadlines().clear(*this);
  cancel_chain();
  release_backend(false);
  response_complete_ = true;
  if (chain_) chain_->on_response_end(false);
}

void Exchange::on_backend_head(Response& head, bool end_stream) {
  if (response_started_) return;
  upstream_answered(head.status);
  trace_.attempt_status(head.status);
  record_outcome(head.status >= 500);
  // A status the route retries on: this answer is dropped, unsent.
  if (head.status >= 400 && retries() != nullptr &&
      retry_attempt(resilience::AttemptFailure::kStatus, &head)) {
    return;
  }
  if (!affinity_cookie_.empty()) head.headers.add("set-cookie", affinity_cookie_);
  if (request_->websocket && request_->version == 20 && head.status / 100 == 2) {
    // An HTTP/2 client reads any 2xx as "tunnel open" (RFC 8441): a backend
    // that answered the upgrade without switching protocols must not look
    // like one that did.
    release_backend(false);
    worker_.deadlines().clear(*this);
    respond_error(502, "backend did not upgrade to WebSocket");
    return;
  }
  if (chain_ && is_gateway_error(head.status) && answered_backend_error(head.status)) return;
  if (worker_.access_log().enabled()) upstream_head_ = std::chrono::steady_clock::now();
  if (chain_ && !end_stream && head.status != 101 && chain_->has_body_transform() &&
      start_response_body_buffering(head)) {
    return;
  }
  response_started_ = true;
  status_ = head.status;
  if (chain_) chain_->on_response_head(head);
  if (head.status == 101) {
    tunnel_ = true;
    // The request timeout ends with the upgrade; an idle timeout (the
    // route's timeouts.idle, else limits.idleTimeout) bounds the tunnel.
    request_deadline_.reset();
    attempt_deadline_.reset();
    stream_idle_ = std::chrono::milliseconds(0);
    last_activity_ = std::chrono::steady_clock::now();
    tunnel_idle_ = config::tunnel_idle_timeout(route_->route.timeouts, table_->limits())
                       .value_or(std::chrono::milliseconds(0));
    arm_tunnel_idle_timer();
    sink_.send_response_head(head, false);
    sink_.start_tunnel();
    return;
  }
  if (end_stream) {
    sink_.send_response_head(head, true);
    complete();
    return;
  }
  sink_.send_response_head(head, false);
}

void Exchange::on_backend_data(std::string_view data, bool end_stream) {
  if (response_complete_) return;
  if (collecting_response_) {
    collect_response_data(data, end_stream);
    return;
  }
  if (tunnel_) {
    last_activity_ = std::chrono::steady_clock::now();
  } else {
    note_stream_activity();
  }
  bytes_out_ += data.size();
  if (chain_ && !tunnel_ && !data.empty()) chain_->on_response_data(data);
  sink_.send_response_data(data, end_stream && !tunnel_);
  if (end_stream && !tunnel_) {
    complete();
    return;
  }
  if (!backend_paused_ && sink_.response_buffered() >= kHighWatermark && backend_ != nullptr) {
    backend_paused_ = true;
    backend_->pause_response(true);
  }
}

void Exchange::on_backend_trailers(Headers& trailers) {
  if (response_complete_) return;
  if (collecting_response_) {
    // Trailers keep the backend's framing: the body goes on unmapped.
    collecting_response_ = false;
    send_held_response(false);
  }
  if (chain_) chain_->on_response_trailers(trailers);
  sink_.send_response_trailers(trailers);
  complete();
}

void Exchange::on_backend_failure(Failure failure) {
  backend_ = nullptr;
  const bool reused = h1_ && h1_->reused();
  h1_.reset();
  if (response_complete_) return;
  if (tunnel_) {
    abort_client_response();
    return;
  }
  // A kept-alive connection the backend closed just before we used it:
  // retried once on a fresh one, for requests that may be sent twice (the
  // pool checked the connection before any other request, so for those
  // this is a real race and the backend may have acted: 502).
  if (!response_started_ && reused && !retried_ && resendable() && !request_body_sent_ &&
      failure != Failure::kTimeout) {
    retried_ = true;
    start_backend();
    return;
  }
  upstream_failed(upstream_failure(failure));
  trace_.attempt_failed(failure);
  record_outcome(true);
  if (response_started_) {
    abort_client_response();
    return;
  }
  if (retry_attempt(attempt_failure(failure), nullptr)) return;
  request_deadline_.reset();
  attempt_deadline_.reset();
  worker_.deadlines().clear(*this);
  const int status = failure == Failure::kTimeout ? 504 : 502;
  if (answered_backend_error(status)) return;
  switch (failure) {
    case Failure::kConnect:
      respond_error(502, "backend connection failed");
      break;
    case Failure::kTimeout:
      respond_error(504, "backend timeout");
      break;
    default:
      respond_error(502, "backend reset");
      break;
  }
}

bool Exchange::resendable() const {
  return !request_->has_body && !request_->websocket &&
         resilience::idempotent_method(request_->method);
}

void Exchange::on_backend_replaced(std::shared_ptr<backend::H1Connection> connection) {
  h1_ = std::move(connection);
  backend_ = h1_.get();
}

void Exchange::on_backend_drained() {
  if (!request_complete_ || tunnel_) sink_.resume_request_body();
}

void Exchange::respond(int status, Headers headers, std::string body) {
  // An answer ends any body collection: what comes after is discarded.
  collecting_request_ = false;
  collecting_response_ = false;
  status_ = status;
  response_started_ = true;
  Response response;
  response.status = status;
  response.headers = std::move(headers);
  response.content_length = body.size();
  if (chain_) chain_->on_response_head(response);
  if (body.empty() || request_->method == "HEAD") {
    sink_.send_response_head(response, true);
  } else {
    bytes_out_ = body.size();
    if (chain_) chain_->on_response_data(body);
    sink_.send_response_head(response, false);
    sink_.send_response_data(body, true);
  }
  complete();
}

bool Exchange::answered_backend_error(int status) {
  if (!chain_) return false;
  auto reply = chain_->on_backend_error(status);
  if (!reply) return false;
  release_backend(false);
  respond(reply->status, std::move(reply->headers), std::move(reply->body));
  return true;
}

void Exchange::abort_client_response() {
  sink_.abort_response();
  response_complete_ = true;
  if (chain_) chain_->on_response_end(false);
}

void Exchange::respond_error(int status, std::string_view message) {
  respond(status, Headers{{"content-type", "application/json"}}, error_body(message, status));
}

void Exchange::complete() {
  if (response_complete_) return;
  response_complete_ = true;
  worker_.deadlines().clear(*this);
  if (chain_) chain_->on_response_end(true);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  static const std::string kNone;
  // An exemplar names a sampled trace. With tracing on, only a sampled
  // request's headers are read (the other 99 % skip the scan).
  const bool may_have_exemplar =
      worker_.stats().request_metrics() && (worker_.tracer() == nullptr || trace_.sampled());
  const std::string_view trace =
      may_have_exemplar ? sampled_trace_id(request_->headers) : std::string_view();
  if (route_ != nullptr) {
    worker_.stats().record(route_, route_->route.route_name, route_->route.rule_name, status_,
                           seconds, trace);
  } else {
    worker_.stats().record(nullptr, kNone, kNone, status_, seconds, trace);
  }
  // Only a finished request lets the backend connection be reused.
  release_backend(request_complete_);
}

}  // namespace archway::exchange
