#pragma once
// Test helpers for backend TLS: a self-signed certificate made per run (no
// key files in the repository) and a small blocking HTTP/1.1-over-TLS
// backend on loopback that counts connections and records what ALPN the
// proxy offered. One thread accepts; each connection gets its own thread,
// which ends when the peer closes or the backend is destroyed.

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/proxy/self_signed_cert.h"

namespace archway::test_tls {

// Answers every request with 200 and the request body echoed back
// (content-length requests only); "x-connection: N" numbers the connection.
class TlsHttp1Backend {
 public:
  enum class Alpn { kHttp1, kNone };  // what it selects: http/1.1, or no ALPN at all

  TlsHttp1Backend(const CertPair& pair, Alpn alpn)
      : alpn_(alpn), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain(boost::asio::buffer(pair.cert));
    ctx_.use_private_key(boost::asio::buffer(pair.key), boost::asio::ssl::context::pem);
    SSL_CTX_set_alpn_select_cb(ctx_.native_handle(), &TlsHttp1Backend::select, this);
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~TlsHttp1Backend() {
    stop_ = true;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket wake(io);
    boost::system::error_code ec;
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    accept_thread_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks their reads
    }
    for (auto& t : handlers_) t.join();
  }
  TlsHttp1Backend(const TlsHttp1Backend&) = delete;
  TlsHttp1Backend& operator=(const TlsHttp1Backend&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const {
    return {boost::asio::ip::make_address("127.0.0.1"), port_};
  }
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};
  std::atomic<int> offered_h2{0};     // handshakes whose ALPN list held h2
  std::atomic<int> offered_http1{0};  // ... and http/1.1

 private:
  static int select(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                    unsigned int inlen, void* arg) {
    auto* self = static_cast<TlsHttp1Backend*>(arg);
    bool h1 = false;
    for (unsigned i = 0; i < inlen;) {
      const unsigned len = in[i];
      const std::string_view proto(reinterpret_cast<const char*>(in + i + 1), len);
      if (proto == "h2") ++self->offered_h2;
      if (proto == "http/1.1") {
        h1 = true;
        ++self->offered_http1;
        *out = in + i + 1;
        *outlen = static_cast<unsigned char>(len);
      }
      i += 1 + len;
    }
    return h1 && self->alpn_ == Alpn::kHttp1 ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
  }

  void accept_loop() {
    while (true) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stop_ || ec) return;
      const int n = ++connections;
      handlers_.emplace_back(
          [this, n, s = std::move(socket)]() mutable { serve(std::move(s), n); });
    }
  }

  void serve(boost::asio::ip::tcp::socket socket, int n) {
    const int fd = socket.native_handle();
    {
      std::lock_guard lock(mu_);
      fds_.insert(fd);
    }
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> tls(std::move(socket), ctx_);
    converse(tls, n);
    std::lock_guard lock(mu_);
    fds_.erase(fd);
    boost::system::error_code ignored;
    tls.next_layer().close(ignored);
  }

  void converse(boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& tls, int n) {
    boost::system::error_code ec;
    tls.handshake(boost::asio::ssl::stream_base::server, ec);
    if (ec) return;
    std::string in;
    while (!stop_) {
      const size_t head_end =
          boost::asio::read_until(tls, boost::asio::dynamic_buffer(in), "\r\n\r\n", ec);
      if (ec) return;
      size_t length = 0;
      const auto cl = in.find("content-length: ");
      if (cl != std::string::npos && cl < head_end) length = std::stoul(in.substr(cl + 16));
      if (in.size() < head_end + length) {
        boost::asio::read(tls, boost::asio::dynamic_buffer(in),
                          boost::asio::transfer_exactly(head_end + length - in.size()), ec);
        if (ec) return;
      }
      const std::string body = in.substr(head_end, length);
      in.erase(0, head_end + length);
      ++requests;
      std::string out = "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) +
                        "\r\nx-connection: " + std::to_string(n) + "\r\n\r\n" + body;
      boost::asio::write(tls, boost::asio::buffer(out), ec);
      if (ec) return;
    }
  }

  Alpn alpn_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_server};
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> handlers_;
  std::mutex mu_;
  std::set<int> fds_;  // open connections, for the destructor to shut down
};

}  // namespace archway::test_tls
