#include "proxy/outbound/fetch.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cctype>

#include "proxy/backend/h1_connection.h"
#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::outbound {

namespace asio = boost::asio;

namespace {

bool is_token(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == 0; });
}

// Lowercases names, refuses what would break the message framing (a
// policy's header built from a token must never inject a line), and drops
// the fields the client sets itself.
Result<void> normalise_headers(http::Headers& headers) {
  http::Headers kept;
  kept.reserve(headers.size());
  for (auto& h : headers) {
    std::transform(h.name.begin(), h.name.end(), h.name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_token(h.name)) return invalid("headers", "invalid field name \"" + h.name + "\"");
    if (!is_field_value(h.value)) return invalid("headers." + h.name, "CR, LF or NUL in value");
    if (h.name == "host" || h.name == "content-length" || http::is_hop_by_hop(h.name)) continue;
    kept.push_back(std::move(h));
  }
  headers = std::move(kept);
  return {};
}

std::string failure_text(http::BackendEvents::Failure failure) {
  using Failure = http::BackendEvents::Failure;
  switch (failure) {
    case Failure::kConnect:
      return "connection or TLS handshake failed";
    case Failure::kTimeout:
      return "backend timeout";
    case Failure::kProtocol:
      return "malformed response";
    case Failure::kReset:
    case Failure::kRefused:
      break;
  }
  return "connection closed before the response was complete";
}

}  // namespace

Fetch::Fetch(HttpClient& client, OutboundRequest request, HttpClient::Callback done)
    : client_(&client),
      io_(client.io_),
      request_(std::move(request)),
      done_(std::move(done)),
      deadline_(std::chrono::steady_clock::now() + request_.timeout),
      timer_(client.io_) {
  client_->live_.insert(this);
}

Fetch::~Fetch() {
  release_backend(false);
  if (client_ != nullptr) client_->live_.erase(this);
}

void Fetch::start() {
  timer_.expires_at(deadline_);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->finished_) return;
    self->fail(Error::Code::kUnavailable,
               "timed out after " + std::to_string(self->request_.timeout.count()) + " ms");
  });
  if (!is_token(request_.method)) {
    fail(Error::Code::kInvalidArgument, "invalid method");
    return;
  }
  if (auto checked = normalise_headers(request_.headers); !checked.ok()) {
    finish(checked.error());
    return;
  }
  if (!is_field_value(request_.authority)) {
    fail(Error::Code::kInvalidArgument, "CR, LF or NUL in authority");
    return;
  }
  auto url = parse_url(request_.url);
  if (!url.ok()) {
    finish(url.error());
    return;
  }
  url_ = std::move(url).value();
  if (url_.https) {
    auto ctx = client_->tls_.get(url_.host, request_.tls);
    if (!ctx.ok()) {
      finish(ctx.error());
      return;
    }
    tls_ = ctx.value();
  }
  if (url_.ip_literal) {
    boost::system::error_code ec;
    endpoints_.emplace_back(asio::ip::make_address(url_.host, ec), url_.port);
    connect_next();
    return;
  }
  resolve();
}

void Fetch::resolve() {
  // getaddrinfo runs on asio's resolver thread; the answer is posted back.
  resolver_.emplace(io_);
  resolver_->async_resolve(
      url_.host, std::to_string(url_.port),
      [weak = weak_from_this()](boost::system::error_code ec, tcp::resolver::results_type found) {
        auto self = weak.lock();
        if (!self || self->finished_) return;
        if (ec || found.empty()) {
          self->fail(Error::Code::kUnavailable,
                     "cannot resolve " + self->url_.host + ": " + ec.message());
          return;
        }
        for (const auto& entry : found) self->endpoints_.push_back(entry.endpoint());
        self->connect_next();
      });
}

void Fetch::connect_next() {
  endpoint_ = endpoints_[next_endpoint_++];
  head_seen_ = false;
  // HTTPS: HTTP/2 unless this address chose http/1.1 by ALPN, as for a
  // backend cluster (backend/h2_sessions.h). Plain http is HTTP/1.1 (no h2c).
  if (tls_ != nullptr &&
      client_->pools_.h2_sessions().alpn(endpoint_, tls_) != backend::H2Sessions::Alpn::kHttp1) {
    start_h2();
  } else {
    start_h1(false);
  }
}

void Fetch::start_h2() {
  http::Request request;
  request.method = request_.method;
  request.scheme = "https";
  request.authority = request_.authority.empty() ? url_.authority : request_.authority;
  request.target = url_.target;
  request.headers = request_.headers;
  request.has_body = !request_.body.empty();
  if (request.has_body) request.content_length = request_.body.size();
  const backend::H2Session::Settings settings{remaining(), tls_, url_.host, request_.tls.verify};
  auto opened = client_->pools_.h2_sessions().open(settings, endpoint_, request, url_.target, this);
  if (opened.stream == nullptr) {
    fail(Error::Code::kUnavailable,
         opened.error == backend::H2Sessions::OpenError::kOverloaded
             ? "too many requests queued on the HTTP/2 connection to " + url_.authority
             : "cannot open an HTTP/2 stream to " + url_.authority);
    return;
  }
  backend_ = opened.stream;
  // Queued until the connection is up; an ALPN fallback carries it over.
  if (request.has_body) (void)backend_->send_data(request_.body, true);
}

void Fetch::start_h1(bool fresh) {
  std::string head;
  head.reserve(128 + request_.body.size());
  head.append(request_.method).append(" ").append(url_.target).append(" HTTP/1.1\r\nhost: ");
  head.append(request_.authority.empty() ? url_.authority : request_.authority).append("\r\n");
  for (const auto& h : request_.headers)
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  const std::string_view m = request_.method;
  if (!request_.body.empty() || m == "POST" || m == "PUT" || m == "PATCH") {
    head.append("content-length: ").append(std::to_string(request_.body.size())).append("\r\n");
  }
  head.append("\r\n");
  backend::TlsTarget target{tls_, url_.host, request_.tls.verify};
  const backend::TlsTarget* tls = tls_ != nullptr ? &target : nullptr;
  auto& pool = client_->pools_.pool();
  h1_ = fresh ? pool.create(endpoint_, remaining(), tls)
              : pool.acquire(endpoint_, remaining(), tls, !resendable());
  backend_ = h1_.get();
  const bool has_body = !request_.body.empty();
  h1_->start(this, head, false, m == "HEAD", has_body);
  if (has_body && h1_ != nullptr) (void)h1_->send_data(request_.body, true);
}

bool Fetch::resendable() const {
  const std::string_view m = request_.method;
  return request_.body.empty() &&
         (m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE");
}

std::chrono::milliseconds Fetch::remaining() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline_ - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

void Fetch::on_backend_head(http::Response& head, bool end_stream) {
  if (finished_ || head_seen_) return;
  head_seen_ = true;
  // A HEAD response's length is the one a GET would get: no body follows.
  if (request_.method != "HEAD" && head.content_length &&
      *head.content_length > request_.max_response_bytes) {
    fail(Error::Code::kUnavailable, "response body of " + std::to_string(*head.content_length) +
                                        " bytes is over the limit of " +
                                        std::to_string(request_.max_response_bytes));
    return;
  }
  response_.status = head.status;
  response_.headers = std::move(head.headers);
  if (end_stream) finish(std::move(response_));
}

void Fetch::on_backend_data(std::string_view data, bool end_stream) {
  if (finished_) return;
  if (response_.body.size() + data.size() > request_.max_response_bytes) {
    // Stop reading: the connection (or the HTTP/2 stream) is dropped.
    fail(Error::Code::kUnavailable, "response body over the limit of " +
                                        std::to_string(request_.max_response_bytes) + " bytes");
    return;
  }
  response_.body.append(data);
  if (end_stream) finish(std::move(response_));
}

void Fetch::on_backend_trailers(http::Headers&) {
  if (!finished_) finish(std::move(response_));  // trailers are not returned
}

void Fetch::on_backend_failure(Failure failure) {
  backend_ = nullptr;  // the stream is gone; nothing to detach
  const bool reused = h1_ && h1_->reused();
  h1_.reset();
  if (finished_ || client_ == nullptr) return;
  if (!head_seen_ && failure == Failure::kConnect && next_endpoint_ < endpoints_.size()) {
    connect_next();  // the host's next address (IPv6 then IPv4, say)
    return;
  }
  // A kept-alive connection the server closed just before we used it: once
  // more on a fresh one, for requests that may be sent twice (as the
  // exchange does, exchange.cc).
  if (!head_seen_ && reused && !retried_ && resendable() && failure != Failure::kTimeout) {
    retried_ = true;
    start_h1(true);
    return;
  }
  fail(Error::Code::kUnavailable,
       request_.method + " " + url_.authority + ": " + failure_text(failure));
}

void Fetch::on_backend_replaced(std::shared_ptr<backend::H1Connection> connection) {
  h1_ = std::move(connection);
  backend_ = h1_.get();
}

void Fetch::fail(Error::Code code, std::string message) {
  finish(Error{code, "", std::move(message)});
}

void Fetch::finish(Result<OutboundResponse> result) {
  if (finished_) return;
  finished_ = true;
  timer_.cancel();
  if (resolver_) resolver_->cancel();
  // A complete response lets the connection go back to the pool; anything
  // else closes it (HTTP/1.1) or resets the stream (HTTP/2).
  release_backend(result.ok());
  // Posted: the callback never runs inside fetch() or inside a backend
  // connection's own callback, so it may destroy its handle or fetch again.
  asio::post(io_, [weak = weak_from_this(), result = std::move(result)]() mutable {
    if (auto self = weak.lock()) self->deliver(std::move(result));
  });
}

void Fetch::deliver(Result<OutboundResponse> result) {
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result));
}

void Fetch::cancel() {
  finished_ = true;
  done_ = nullptr;
  timer_.cancel();
  if (resolver_) resolver_->cancel();
  release_backend(false);
}

void Fetch::abandon() {
  cancel();
  client_ = nullptr;
}

void Fetch::release_backend(bool complete) {
  if (backend_ != nullptr) {
    auto* backend = backend_;
    backend_ = nullptr;
    backend->detach(complete);
  }
  h1_.reset();
}

}  // namespace archway::outbound
