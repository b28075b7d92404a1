#include "controller/app/health_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <chrono>
#include <thread>

namespace archway::controller::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A probe is one short request line and a few headers.
constexpr uint32_t kHeaderLimit = 4096;
constexpr auto kDeadline = std::chrono::seconds(2);

struct Answer {
  http::status status;
  std::string body;
  const char* content_type = "text/plain; charset=utf-8";
};

Answer answer(const http::request<http::empty_body>& req, const std::function<bool()>& ready,
              const std::function<std::string()>& metrics) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    return {http::status::method_not_allowed, "method not allowed\n"};
  }
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz" || path == "/livez") return {http::status::ok, "ok\n"};
  if (path == "/readyz") {
    return ready() ? Answer{http::status::ok, "ok\n"}
                   : Answer{http::status::service_unavailable,
                            "not ready: informers syncing or no snapshot ACKed\n"};
  }
  if (path == "/metrics" && metrics) {
    return {http::status::ok, metrics(), "text/plain; version=0.0.4; charset=utf-8"};
  }
  return {http::status::not_found, "not found\n"};
}

// One connection, one request: read, answer, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::function<bool()>& ready,
          const std::function<std::string()>& metrics)
      : stream_(std::move(socket)), ready_(ready), metrics_(metrics) {
    parser_.header_limit(kHeaderLimit);
    parser_.body_limit(0);
  }

  void run() {
    stream_.expires_after(kDeadline);
    http::async_read(
        stream_, buffer_, parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    http::response<http::string_body> res;
    if (ec) {
      if (ec == beast::error::timeout || ec == http::error::end_of_stream) return;
      res.result(http::status::bad_request);
      res.body() = "bad request\n";
    } else {
      Answer a = answer(parser_.get(), ready_, metrics_);
      res.result(a.status);
      res.set(http::field::content_type, a.content_type);
      if (parser_.get().method() != http::verb::head) res.body() = std::move(a.body);
    }
    res.version(11);
    if (res.find(http::field::content_type) == res.end()) {
      res.set(http::field::content_type, "text/plain; charset=utf-8");
    }
    res.keep_alive(false);
    res.prepare_payload();
    response_ = std::move(res);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kHeaderLimit};
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
  const std::function<bool()>& ready_;  // owned by Impl, which outlives every session
  const std::function<std::string()>& metrics_;
};

}  // namespace

struct HealthServer::Impl {
  std::string address;
  uint16_t port;
  std::function<bool()> ready;
  std::function<std::string()> metrics;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<uint16_t> bound_port{0};

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), ready, metrics)->run();
      accept();
    });
  }
};

HealthServer::HealthServer(std::string address, uint16_t port, std::function<bool()> ready,
                           std::function<std::string()> metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(address);
  impl_->port = port;
  impl_->ready = std::move(ready);
  impl_->metrics = std::move(metrics);
}

HealthServer::~HealthServer() { stop(); }

Result<void> HealthServer::start() {
  beast::error_code ec;
  const auto ip = asio::ip::make_address(impl_->address, ec);
  if (ec) return invalid("health-address", "not an IP address: " + impl_->address);
  const tcp::endpoint endpoint(ip, impl_->port);
  auto& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); !ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (acceptor.bind(endpoint, ec); !ec)
      acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return Error{Error::Code::kUnavailable, "health-port",
                 "cannot listen on " + impl_->address + ":" + std::to_string(impl_->port) + ": " +
                     ec.message()};
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  spdlog::info("health endpoint on {}:{} (/healthz, /readyz, /metrics)", impl_->address,
               impl_->bound_port.load());
  return {};
}

void HealthServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t HealthServer::port() const { return impl_->bound_port.load(); }

}  // namespace archway::controller::app
