#pragma once
// A client or backend byte stream: a TCP socket, optionally wrapped in TLS.
// Codecs hold one Transport and never care which it is. Worker-thread only.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <memory>

namespace archway::net {

class Transport {
 public:
  using tcp = boost::asio::ip::tcp;
  using TlsStream = boost::asio::ssl::stream<tcp::socket&>;

  explicit Transport(tcp::socket socket) : socket_(std::move(socket)) {}
  Transport(Transport&&) = default;

  // Wraps the socket in a server- or client-side TLS session.
  // The SSL object takes its own reference to `ctx`; asio's context wrapper
  // adopts one reference, so we add one for it to drop.
  void enable_tls(SSL_CTX* ctx) {
    SSL_CTX_up_ref(ctx);
    boost::asio::ssl::context wrapper(ctx);
    tls_ = std::make_unique<TlsStream>(socket_, wrapper);
  }
  [[nodiscard]] bool is_tls() const { return tls_ != nullptr; }
  [[nodiscard]] TlsStream* tls() { return tls_.get(); }
  [[nodiscard]] tcp::socket& socket() { return socket_; }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }
  // Writes all of `buffers` (one writev per batch where the OS allows).
  template <typename Buffers, typename Handler>
  void async_write(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
    }
  }
  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  // Half-close our sending side (after a final response), keeping reads.
  void shutdown_send() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  tcp::socket socket_;
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace archway::net
