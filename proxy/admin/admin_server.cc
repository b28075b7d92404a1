#include "proxy/admin/admin_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include "proxy/metrics/openmetrics.h"

namespace archway::admin {

namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string jwks_status_json(const std::vector<identity::JwksSourceStatus>& sources) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : sources) {
    nlohmann::json entry{{"uri", s.uri},
                         {"state", std::string(identity::jwks_source_state_name(s.state))},
                         {"keys", s.keys}};
    if (!s.error.empty()) entry["error"] = s.error;
    if (s.since_success) entry["lastSuccessSecondsAgo"] = s.since_success->count();
    if (s.failing_for) entry["failingForSeconds"] = s.failing_for->count();
    list.push_back(std::move(entry));
  }
  return nlohmann::json{{"sources", std::move(list)}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AdminResponse handle_admin_request(server::Server& server, std::string_view method,
                                   std::string_view target, std::string_view body, bool local,
                                   const PurgeCache& purge_cache, std::string_view accept) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/cache") return handle_cache_purge(method, target, purge_cache);
  if (path == "/healthz") return {200, "text/plain", "ok\n"};
  if (path == "/readyz") {
    if (server.ready()) return {200, "text/plain", "ready\n"};
    return {503, "text/plain", server.draining() ? "draining\n" : "no snapshot\n"};
  }
  if (path == "/metrics" && method == "GET") {
    const bool openmetrics = metrics::wants_openmetrics(accept);
    return {200,
            std::string(openmetrics ? metrics::kOpenMetricsContentType
                                    : metrics::kPrometheusContentType),
            server.render_metrics(openmetrics)};
  }
  if (path == "/jwks" && method == "GET") {
    return {200, "application/json", jwks_status_json(server.jwks_status())};
  }
  if (path == "/config") {
    if (method == "GET") {
      const auto info = server.config_info();
      return {200, "application/json",
              nlohmann::json{{"version", info.version}, {"hash", info.hash}}.dump()};
    }
    if (method == "PUT" || method == "POST") {
      if (!local)
        return {403, "application/json", R"({"error":"use the admin socket","status":403})"};
      auto applied = server.apply_text(body);
      if (applied.ok()) {
        return {200, "application/json",
                nlohmann::json{{"status", "ACK"}, {"version", *applied}}.dump()};
      }
      const auto live = server.config_info().version;
      return {400, "application/json",
              nlohmann::json{
                  {"status", "NACK"}, {"version", live}, {"message", applied.error().to_string()}}
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    }
    return {405, "application/json", R"({"error":"method not allowed","status":405})"};
  }
  return {404, "application/json", R"({"error":"not found","status":404})"};
}

namespace {

template <typename Socket>
class Session : public std::enable_shared_from_this<Session<Socket>> {
 public:
  Session(Socket socket, server::Server& server, const PurgeCache& purge_cache, bool local)
      : socket_(std::move(socket)), server_(server), purge_cache_(purge_cache), local_(local) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024 * 1024);
    http::async_read(socket_, buffer_, *parser_,
                     [self = this->shared_from_this()](boost::system::error_code ec, size_t) {
                       if (ec) return;
                       self->respond();
                     });
  }

 private:
  void respond() {
    auto& req = parser_->get();
    // Applying a snapshot compiles a table: done here on the admin thread,
    // off every worker (the hot path never waits for it).
    const auto answer = handle_admin_request(
        server_, std::string_view(req.method_string().data(), req.method_string().size()),
        std::string_view(req.target().data(), req.target().size()), req.body(), local_,
        purge_cache_,
        std::string_view(req[http::field::accept].data(), req[http::field::accept].size()));
    response_ = {};
    response_.result(answer.status);
    response_.version(11);
    response_.set(http::field::content_type, answer.content_type);
    response_.body() = answer.body;
    response_.keep_alive(req.keep_alive());
    response_.prepare_payload();
    http::async_write(socket_, response_,
                      [self = this->shared_from_this()](boost::system::error_code ec, size_t) {
                        // After the ACK is on its way (Server::persist).
                        self->server_.persist();
                        if (ec || !self->response_.keep_alive()) {
                          boost::system::error_code ignored;
                          self->socket_.shutdown(Socket::shutdown_both, ignored);
                          return;
                        }
                        self->read();
                      });
  }

  Socket socket_;
  server::Server& server_;
  const PurgeCache& purge_cache_;  // AdminServer::Impl's: outlives every session (one io thread)
  bool local_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

template <typename Acceptor>
void accept_loop(Acceptor& acceptor, server::Server& server, const PurgeCache& purge_cache,
                 bool local) {
  acceptor.async_accept(
      [&acceptor, &server, &purge_cache, local](boost::system::error_code ec, auto socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
          std::make_shared<Session<decltype(socket)>>(std::move(socket), server, purge_cache, local)
              ->read();
        }
        accept_loop(acceptor, server, purge_cache, local);
      });
}

}  // namespace

class AdminServer::Impl {
 public:
  Impl(server::Server& s, PurgeCache purge) : server(s), purge_cache(std::move(purge)) {}
  server::Server& server;
  PurgeCache purge_cache;
  asio::io_context io{1};
  std::optional<asio::ip::tcp::acceptor> tcp;
  std::optional<asio::local::stream_protocol::acceptor> local;
  std::string socket_path;
};

Result<std::unique_ptr<AdminServer>> AdminServer::create(AdminOptions options,
                                                         server::Server& server) {
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->impl_ = std::make_unique<Impl>(server, std::move(options.purge_cache));
  auto& impl = *admin->impl_;
  boost::system::error_code ec;
  if (options.socket_path) {
    ::unlink(options.socket_path->c_str());  // a stale socket from a previous run
    impl.local.emplace(impl.io);
    asio::local::stream_protocol::endpoint ep(*options.socket_path);
    impl.local->open(ep.protocol(), ec);
    if (!ec) impl.local->bind(ep, ec);
    if (!ec) impl.local->listen(64, ec);
    if (ec) return invalid("--admin-socket", *options.socket_path + ": " + ec.message());
    impl.socket_path = *options.socket_path;
    accept_loop(*impl.local, server, impl.purge_cache, true);
  }
  if (options.address) {
    auto addr = asio::ip::make_address(*options.address, ec);
    if (ec) return invalid("--admin-address", *options.address + ": " + ec.message());
    impl.tcp.emplace(impl.io);
    asio::ip::tcp::endpoint ep(addr, options.port);
    impl.tcp->open(ep.protocol(), ec);
    if (!ec) impl.tcp->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl.tcp->bind(ep, ec);
    if (!ec) impl.tcp->listen(64, ec);
    if (ec) {
      return invalid("--admin-port",
                     *options.address + ":" + std::to_string(options.port) + ": " + ec.message());
    }
    admin->tcp_port_ = impl.tcp->local_endpoint().port();
    accept_loop(*impl.tcp, server, impl.purge_cache, false);
  }
  admin->thread_ = std::thread([&impl] {
    while (true) {
      try {
        impl.io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("admin: unexpected exception: {}", e.what());
      }
    }
  });
  return admin;
}

AdminServer::~AdminServer() { stop(); }

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  impl_->io.stop();
  thread_.join();
  if (!impl_->socket_path.empty()) ::unlink(impl_->socket_path.c_str());
}

}  // namespace archway::admin
