#include "proxy/tracing/otlp_http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <optional>

namespace archway::tracing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string OtlpEndpoint::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<OtlpEndpoint> parse_otlp_endpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return invalid("--otlp-endpoint", "must start with http:// (OTLP/HTTP, JSON)");
  }
  url.remove_prefix(kScheme.size());
  OtlpEndpoint ep;
  const auto slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  if (slash != std::string_view::npos) ep.target = std::string(url.substr(slash));
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return invalid("--otlp-endpoint", "unclosed [ in host");
    ep.host = std::string(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return invalid("--otlp-endpoint", "junk after ]");
      port = rest.substr(1);
    }
  } else {
    const auto colon = hostport.rfind(':');
    ep.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (ep.host.empty()) return invalid("--otlp-endpoint", "no host");
  if (!port.empty() || hostport.ends_with(":")) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return invalid("--otlp-endpoint", "bad port");
    }
    ep.port = static_cast<uint16_t>(value);
  }
  return ep;
}

Result<void> post_otlp_json(const OtlpEndpoint& endpoint, const std::string& body,
                            std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::string_body> request{http::verb::post, endpoint.target, 11};
  request.set(http::field::host, endpoint.authority());
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "archway-proxy");
  request.body() = body;
  request.prepare_payload();
  http::response<http::string_body> response;
  std::optional<beast::error_code> failed;
  const char* step = "resolve";
  const auto fail = [&](const char* what, beast::error_code ec) {
    step = what;
    failed = ec;
  };

  // Async steps on a private context, so that the stream's deadline (which
  // Beast applies to async operations only) bounds each of them.
  asio::ip::tcp::resolver resolver(io);
  stream.expires_after(timeout);
  resolver.async_resolve(
      endpoint.host, std::to_string(endpoint.port),
      [&](beast::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
        if (ec) return fail("resolve", ec);
        stream.async_connect(results, [&](beast::error_code ec2, const auto&) {
          if (ec2) return fail("connect", ec2);
          http::async_write(stream, request, [&](beast::error_code ec3, size_t) {
            if (ec3) return fail("write", ec3);
            http::async_read(stream, buffer, response, [&](beast::error_code ec4, size_t) {
              if (ec4) return fail("read", ec4);
              beast::error_code ignored;
              stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            });
          });
        });
      });
  // The resolver has no deadline of its own: the whole run is bounded too.
  io.run_for(timeout + std::chrono::milliseconds(100));
  if (!io.stopped()) {
    stream.cancel();
    io.stop();
    return Error{Error::Code::kUnavailable, "otlp", "export timed out"};
  }
  if (failed) {
    return Error{Error::Code::kUnavailable, "otlp",
                 std::string(step) + " " + endpoint.authority() + ": " + failed->message()};
  }
  const unsigned status = response.result_int();
  if (status < 200 || status > 299) {
    return Error{Error::Code::kUnavailable, "otlp", "collector answered " + std::to_string(status)};
  }
  return Result<void>();
}

}  // namespace archway::tracing
