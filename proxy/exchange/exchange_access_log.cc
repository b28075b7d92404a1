// Exchange's access-log line (server/access_log.h), kept out of exchange.cc:
// it runs once per exchange, from the destructor, only when the log is on.
// The destructor is the one place every exchange passes through, whether it
// completed, was answered locally, failed, or lost its client.

#include <boost/asio/ip/tcp.hpp>

#include "proxy/exchange/access_log.h"
#include "proxy/exchange/exchange.h"
#include "proxy/exchange/exchange_host.h"

namespace archway::exchange {

namespace {

// "10.0.0.7:8080" / "[::1]:8080". IPv4 by hand: address::to_string goes
// through inet_ntop and an ostream, ~1.7k instructions a line.
void append_endpoint(std::string& out, const boost::asio::ip::tcp::endpoint& endpoint) {
  char buf[24];
  char* p = buf;
  const auto put = [&p](unsigned v) {
    char digits[5];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) *p++ = digits[--n];
  };
  const auto address = endpoint.address();
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) *p++ = '.';
      put(bytes[i]);
    }
    out.append(buf, static_cast<size_t>(p - buf));
  } else {
    out.append("[").append(address.to_string()).append("]");
  }
  p = buf;
  *p++ = ':';
  put(endpoint.port());
  out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace

void Exchange::log_access() {
  if (request_ == nullptr) return;
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  const auto now = std::chrono::steady_clock::now();
  const Request& r = *request_;
  AccessLogEntry e;
  e.start = std::chrono::system_clock::now() -
            duration_cast<std::chrono::system_clock::duration>(now - started_);
  e.duration = duration_cast<microseconds>(now - started_);
  // After forward() the trace and request ids are the forwarded values
  // (kept or new); for a local response, what the client sent.
  set_request_fields(e, r);
  if (!client_authority_.empty()) e.authority = client_authority_;  // before rewrite.hostname
  e.status = status_;
  e.bytes_in = body_bytes_;
  e.bytes_out = bytes_out_;
  std::string upstream;
  if (cluster_ != nullptr) {
    append_endpoint(upstream, endpoint_);
    e.upstream = upstream;
    e.attempts = attempts_;
    if (upstream_head_ != std::chrono::steady_clock::time_point{}) {
      e.upstream_time = duration_cast<microseconds>(upstream_head_ - started_);
    }
  }
  if (route_ != nullptr) {
    const auto& route = route_->route;
    e.route = route.route_name.empty() ? route.name : route.route_name;
    e.rule = route.rule_name;
  }
  if (filter_ctx_) {
    e.identity = filter_ctx_->identity();
    e.parts = filter_ctx_->aggregate_parts_log;
  }
  worker_.access_log().write(e);
}

}  // namespace archway::exchange
