#pragma once
// A small blocking HTTP/1.1 server on loopback for the outbound client's
// tests, plain or TLS: each request (head, content-length body) goes to a
// handler whose Reply says what to write and whether to close after it or
// to write nothing (hang). Counts connections. One thread accepts; each
// connection gets its own thread, ended by the peer closing or by the
// destructor shutting the socket down.

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/outbound/http_client.h"
#include "tests/proxy/self_signed_cert.h"

namespace archway::test_outbound {

struct Reply {
  std::string bytes;  // written as is
  bool close_after = false;
  bool hang = false;  // write nothing; wait for the client to give up
};

struct Received {
  std::string head;
  std::string body;
};

class TestServer {
 public:
  using Handler = std::function<Reply(const Received&)>;
  using tcp = boost::asio::ip::tcp;

  // `tls`: serve TLS with this certificate (ALPN: http/1.1 when offered).
  TestServer(Handler handler, std::optional<test_tls::CertPair> tls = std::nullopt)
      : handler_(std::move(handler)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (tls) {
      ctx_.emplace(boost::asio::ssl::context::tls_server);
      ctx_->use_certificate_chain(boost::asio::buffer(tls->cert));
      ctx_->use_private_key(boost::asio::buffer(tls->key), boost::asio::ssl::context::pem);
      SSL_CTX_set_alpn_select_cb(ctx_->native_handle(), &TestServer::select_http1, nullptr);
    }
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~TestServer() {
    stop_ = true;
    boost::asio::io_context io;
    tcp::socket wake(io);
    boost::system::error_code ec;
    wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    accept_thread_.join();
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : handlers_) t.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] Received last() {
    std::lock_guard lock(mu_);
    return last_;
  }
  std::atomic<int> connections{0};
  std::atomic<int> requests{0};

 private:
  static int select_http1(SSL*, const unsigned char** out, unsigned char* outlen,
                          const unsigned char* in, unsigned int inlen, void*) {
    for (unsigned i = 0; i < inlen;) {
      const unsigned len = in[i];
      if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == "http/1.1") {
        *out = in + i + 1;
        *outlen = static_cast<unsigned char>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + len;
    }
    return SSL_TLSEXT_ERR_NOACK;
  }

  void accept_loop() {
    while (true) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stop_ || ec) return;
      ++connections;
      handlers_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(tcp::socket socket) {
    const int fd = socket.native_handle();
    {
      std::lock_guard lock(mu_);
      fds_.insert(fd);
    }
    if (ctx_) {
      boost::asio::ssl::stream<tcp::socket> tls(std::move(socket), *ctx_);
      boost::system::error_code ec;
      tls.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) converse(tls);
      std::lock_guard lock(mu_);
      fds_.erase(fd);
      tls.next_layer().close(ec);
      return;
    }
    converse(socket);
    std::lock_guard lock(mu_);
    fds_.erase(fd);
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  template <typename Stream>
  void converse(Stream& stream) {
    boost::system::error_code ec;
    std::string in;
    while (!stop_) {
      const size_t head_end =
          boost::asio::read_until(stream, boost::asio::dynamic_buffer(in), "\r\n\r\n", ec);
      if (ec) return;
      size_t length = 0;
      const auto cl = in.find("content-length: ");
      if (cl != std::string::npos && cl < head_end) length = std::stoul(in.substr(cl + 16));
      if (in.size() < head_end + length) {
        boost::asio::read(stream, boost::asio::dynamic_buffer(in),
                          boost::asio::transfer_exactly(head_end + length - in.size()), ec);
        if (ec) return;
      }
      Received received{in.substr(0, head_end), in.substr(head_end, length)};
      in.erase(0, head_end + length);
      ++requests;
      {
        std::lock_guard lock(mu_);
        last_ = received;
      }
      const Reply reply = handler_(received);
      if (reply.hang) continue;  // the next read blocks until shut down
      boost::asio::write(stream, boost::asio::buffer(reply.bytes), ec);
      if (ec || reply.close_after) return;
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<boost::asio::ssl::context> ctx_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> handlers_;
  std::mutex mu_;
  std::set<int> fds_;
  Received last_;
};

// "HTTP/1.1 <status> X\r\ncontent-length: N\r\n<extra>\r\n<body>".
inline std::string response(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\ncontent-length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

// What a worker owns, as the outbound client sees it.
struct WorkerPools final : outbound::BackendPools {
  explicit WorkerPools(boost::asio::io_context& io) : io_(io) {}
  backend::Pool& pool() override { return *pool_; }
  backend::H2Sessions& h2_sessions() override { return *sessions_; }
  boost::asio::io_context& io_;
  std::shared_ptr<backend::Pool> pool_ = std::make_shared<backend::Pool>(io_);
  std::shared_ptr<backend::H2Sessions> sessions_ =
      std::make_shared<backend::H2Sessions>(io_, pool_);
};

}  // namespace archway::test_outbound
