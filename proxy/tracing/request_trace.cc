#include "proxy/tracing/request_trace.h"

#include <array>
#include <chrono>

#include "proxy/tracing/tracer.h"

namespace archway::tracing {
namespace {

uint64_t unix_nanos_now() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The request's traceparent: the first such field, parsed (nullopt: none,
// or invalid).
std::optional<TraceParent> incoming(const http::Headers& headers) {
  for (const auto& h : headers) {
    if (h.name == "traceparent") return parse_traceparent(h.value);
  }
  return std::nullopt;
}

void set_traceparent(http::Headers& headers, const TraceId& trace, SpanId parent, uint8_t flags) {
  const auto value = format_traceparent(trace, parent, flags);
  const std::string_view v(value.data(), value.size());
  // One field, ours: an invalid or earlier one goes (erased fields keep
  // their strings as spares, so add() reuses one without allocating).
  headers.erase_if([](const http::Header& h) { return h.name == "traceparent"; });
  headers.add("traceparent", v);
}

// Host [":" port] → the host and, when explicit, the port.
std::pair<std::string_view, int64_t> split_authority(std::string_view authority) {
  const size_t close = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || (close != std::string_view::npos && colon < close)) {
    if (!authority.empty() && authority.front() == '[' && close != std::string_view::npos) {
      return {authority.substr(1, close - 1), 0};
    }
    return {authority, 0};
  }
  int64_t port = 0;
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return {authority, 0};
    port = port * 10 + (c - '0');
  }
  std::string_view host = authority.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {host, port};
}

std::string protocol_version(int version) {
  switch (version) {
    case 10:
      return "1.0";
    case 20:
      return "2";
    default:
      return "1.1";
  }
}

}  // namespace

bool known_method(std::string_view m) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (auto k : kKnown) {
    if (m == k) return true;
  }
  return false;
}

std::string server_span_name(std::string_view method, std::string_view route) {
  std::string name(known_method(method) ? method : std::string_view("HTTP"));
  if (!route.empty()) name.append(" ").append(route);
  return name;
}

void RequestTrace::start(Tracer* tracer, http::Request& request, std::mt19937_64& rng) {
  new_trace_flags_ = kFlagSampled;
  if (tracer == nullptr) return;
  const auto parent = incoming(request.headers);
  const TraceId trace = parent ? parent->trace : new_trace_id(rng);
  const bool sampled = tracer->sampler().decide(parent, trace);
  if (!sampled) {
    // Forwarded as it came; a new trace (written by the forwarding
    // headers) says "not sampled" downstream.
    new_trace_flags_ = 0;
    return;
  }
  active_ = std::make_unique<Active>();
  active_->tracer = tracer;
  SpanRecord& server = active_->server;
  server.trace = trace;
  server.id = new_span_id(rng);
  server.parent = parent ? parent->parent : 0;
  server.kind = SpanKind::kServer;
  server.start_unix_nanos = unix_nanos_now();
  // Until an attempt points it at its own span: the server span (a local
  // answer forwards nothing, but the access log reads the trace id here).
  set_traceparent(request.headers, trace, server.id, kFlagSampled);

  const bool known = known_method(request.method);
  server.attributes.reserve(12);
  server.add("http.request.method", known ? request.method : std::string("_OTHER"));
  if (!known) server.add("http.request.method_original", request.method);
  const std::string_view target(request.target);
  server.add("url.path", std::string(target.substr(0, target.find('?'))));
  server.add("url.scheme", request.scheme);
  const auto [host, port] = split_authority(request.authority);
  server.add("server.address", std::string(host));
  if (port != 0) server.add("server.port", port);
  server.add("client.address", request.client_ip);
  server.add("network.protocol.version", protocol_version(request.version));
}

void RequestTrace::begin_attempt(std::string_view cluster,
                                 const boost::asio::ip::tcp::endpoint& endpoint, uint32_t attempt,
                                 std::string_view method, http::Headers& headers,
                                 std::mt19937_64& rng) {
  if (!active_) return;
  end_attempt();
  const SpanRecord& server = active_->server;
  SpanRecord& client = active_->client;
  client = SpanRecord{};
  client.trace = server.trace;
  client.id = new_span_id(rng);
  client.parent = server.id;
  client.kind = SpanKind::kClient;
  client.name = known_method(method) ? std::string(method) : std::string("HTTP");
  client.start_unix_nanos = unix_nanos_now();
  client.attributes.reserve(8);
  client.add("http.request.method", known_method(method) ? std::string(method) : "_OTHER");
  client.add("server.address", endpoint.address().to_string());
  client.add("server.port", static_cast<int64_t>(endpoint.port()));
  client.add("archway.cluster", std::string(cluster));
  if (attempt > 1) client.add("http.request.resend_count", static_cast<int64_t>(attempt - 1));
  active_->client_open = true;
  active_->client_done = false;
  set_traceparent(headers, server.trace, client.id, kFlagSampled);
}

void RequestTrace::attempt_status(int status) {
  if (!active_ || !active_->client_open || active_->client_done) return;
  active_->client_done = true;
  SpanRecord& client = active_->client;
  client.add("http.response.status_code", static_cast<int64_t>(status));
  // Client spans: 4xx and 5xx are errors (semantic conventions).
  if (status >= 400) {
    client.status = SpanStatus::kError;
    client.add("error.type", std::to_string(status));
  }
}

void RequestTrace::attempt_failed(std::string_view error_type) {
  if (!active_ || !active_->client_open || active_->client_done) return;
  active_->client_done = true;
  SpanRecord& client = active_->client;
  client.status = SpanStatus::kError;
  client.add("error.type", std::string(error_type));
}

void RequestTrace::attempt_failed(http::BackendEvents::Failure failure) {
  if (!active_ || !active_->client_open || active_->client_done) return;
  using Failure = http::BackendEvents::Failure;
  switch (failure) {
    case Failure::kConnect:
      return attempt_failed("connect-failure");
    case Failure::kRefused:
      return attempt_failed("refused-stream");
    case Failure::kTimeout:
      return attempt_failed("timeout");
    case Failure::kReset:
      return attempt_failed("reset");
    case Failure::kProtocol:
      return attempt_failed("protocol-error");
  }
  attempt_failed("reset");
}

void RequestTrace::end_attempt() {
  if (!active_ || !active_->client_open) return;
  active_->client_open = false;
  active_->client.end_unix_nanos = unix_nanos_now();
  active_->tracer->submit(std::move(active_->client));
}

void RequestTrace::finish(int status, std::string_view route, std::string_view rule) {
  if (!active_) return;
  end_attempt();
  SpanRecord& server = active_->server;
  server.name = server_span_name(server.attributes.empty()
                                     ? std::string_view("HTTP")
                                     : std::get<std::string>(server.attributes.front().value),
                                 route);
  if (!route.empty()) server.add("archway.route", std::string(route));
  if (!rule.empty()) server.add("archway.rule", std::string(rule));
  if (status != 0) {
    server.add("http.response.status_code", static_cast<int64_t>(status));
    // Server spans: only 5xx are errors (semantic conventions).
    if (status >= 500) {
      server.status = SpanStatus::kError;
      server.add("error.type", std::to_string(status));
    }
  } else {
    server.status = SpanStatus::kError;
    server.add("error.type", "client-gone");
  }
  server.end_unix_nanos = unix_nanos_now();
  active_->tracer->submit(std::move(server));
  active_.reset();
}

}  // namespace archway::tracing
