#pragma once
// Per worker, per route table: idle HTTP/1.1 keep-alive connections by
// backend endpoint and TLS context (H1Connection::Key: plain TCP and TLS
// connections to one address never mix). Worker-thread only. A table swap retires the pool: idle
// connections close, busy ones finish their exchange and then close instead
// of coming back (STYLE.md habit 2).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "proxy/backend/tls_target.h"

namespace archway::backend {

class H1Connection;

class Pool : public std::enable_shared_from_this<Pool> {
 public:
  explicit Pool(boost::asio::io_context& io) : io_(io) {}
  ~Pool();
  // An idle connection to `endpoint`, or a new one (not yet connected).
  // `tls`: null for plain TCP, else the HTTPS cluster's TLS settings.
  // `unretryable`: the request could not be sent again on another
  // connection if this one turned out closed (it has a body, or its method
  // is not idempotent): an unwatched idle connection is checked first.
  [[nodiscard]] std::shared_ptr<H1Connection> acquire(
      const boost::asio::ip::tcp::endpoint& endpoint, std::chrono::milliseconds connect_timeout,
      const TlsTarget* tls = nullptr, bool unretryable = true);
  // Only a fresh connection: after a reused one failed before any response.
  [[nodiscard]] std::shared_ptr<H1Connection> create(const boost::asio::ip::tcp::endpoint& endpoint,
                                                     std::chrono::milliseconds connect_timeout,
                                                     const TlsTarget* tls = nullptr);
  // Back to the idle list (or closed when retired or over the cap).
  void release(std::shared_ptr<H1Connection> connection);
  void forget(const H1Connection* connection);
  void retire();
  [[nodiscard]] bool retired() const { return retired_; }

 private:
  // Idle connections kept per endpoint; above this we close instead. An
  // HTTP/2 client multiplexing many streams needs one backend connection per
  // stream in flight: a cap below that concurrency makes every burst close
  // connections only to open new ones a moment later (socket, connect,
  // epoll_ctl, close: ~9 syscalls each). An idle connection costs a socket
  // and its 16 KiB read buffer.
  static constexpr size_t kMaxIdlePerEndpoint = 1024;
  // How long a plain connection may sit idle unwatched (h1_connection.h)
  // before the pool posts its read. Backends close idle connections after
  // seconds (nginx 75 s, Go 90 s, Node 5 s), so a closed one is noticed long
  // before it could be picked.
  static constexpr std::chrono::milliseconds kWatchAfter{1000};
  void schedule_watch();
  boost::asio::io_context& io_;
  boost::asio::steady_timer watch_timer_{io_};
  bool watch_scheduled_ = false;
  using Key = std::pair<boost::asio::ip::tcp::endpoint, SSL_CTX*>;  // = H1Connection::Key
  std::map<Key, std::vector<std::shared_ptr<H1Connection>>> idle_;
  bool retired_ = false;
};

}  // namespace archway::backend
