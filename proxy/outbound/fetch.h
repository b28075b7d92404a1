#pragma once
// One outbound request's life (http_client.h): resolve, pick a backend
// stream from the worker's pools, send, collect the response under the
// size limit and the deadline, then post the result. Private to
// proxy/outbound.
//
// Lifetime: owned by its FetchHandle alone. I/O handlers (timer, resolver,
// the posted result) hold weak_ptrs, so a cancelled fetch is freed at once;
// the backend stream holds it as its BackendEvents until release_backend()
// detaches it, which every way out (result, cancel, destruction) does
// first. Worker-thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/http/message.h"
#include "proxy/outbound/http_client.h"
#include "proxy/outbound/url.h"

namespace archway::outbound {

class Fetch final : public http::BackendEvents, public std::enable_shared_from_this<Fetch> {
 public:
  using tcp = boost::asio::ip::tcp;
  Fetch(HttpClient& client, OutboundRequest request, HttpClient::Callback done);
  ~Fetch() override;
  Fetch(const Fetch&) = delete;
  Fetch& operator=(const Fetch&) = delete;

  // Right after construction (the handlers need weak_from_this()).
  void start();
  // No callback from now on; the backend stream is released.
  void cancel();
  // The client is going away: cancel, and never touch it again.
  void abandon();
  [[nodiscard]] bool pending() const { return static_cast<bool>(done_); }

  // http::BackendEvents
  void on_backend_head(http::Response& head, bool end_stream) override;
  void on_backend_data(std::string_view data, bool end_stream) override;
  void on_backend_trailers(http::Headers& trailers) override;
  void on_backend_failure(Failure failure) override;
  void on_backend_drained() override {}
  void on_backend_replaced(std::shared_ptr<backend::H1Connection> connection) override;

 private:
  void resolve();
  void connect_next();
  void start_h2();
  void start_h1(bool fresh);
  [[nodiscard]] bool resendable() const;
  [[nodiscard]] std::chrono::milliseconds remaining() const;
  void fail(Error::Code code, std::string message);
  void finish(Result<OutboundResponse> result);
  void deliver(Result<OutboundResponse> result);
  void release_backend(bool complete);

  HttpClient* client_;  // null once abandoned
  boost::asio::io_context& io_;
  OutboundRequest request_;
  HttpClient::Callback done_;
  std::chrono::steady_clock::time_point deadline_;
  Url url_;
  SSL_CTX* tls_ = nullptr;  // https: from the client's cache
  boost::asio::steady_timer timer_;
  std::optional<tcp::resolver> resolver_;
  // Resolved addresses, tried in order on connect failures.
  std::vector<tcp::endpoint> endpoints_;
  size_t next_endpoint_ = 0;
  tcp::endpoint endpoint_;
  http::BackendStream* backend_ = nullptr;
  std::shared_ptr<backend::H1Connection> h1_;  // keeps an HTTP/1.1 stream alive
  bool finished_ = false;
  bool head_seen_ = false;
  bool retried_ = false;
  OutboundResponse response_;
};

}  // namespace archway::outbound
