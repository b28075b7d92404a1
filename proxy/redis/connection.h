#pragma once
// One connection to one Redis node (docs/ratelimit.md "The Redis client"):
// commands pipelined in order, replies matched first in first out, TLS and
// AUTH when configured, connected on first use and again after a failure.
// Lives on one io_context (the Redis thread's), and every call and every
// callback happens there. A failure (refused, reset, a reply that is not
// RESP, a command older than the command timeout) fails every pending
// command with Error::Code::kUnavailable and closes the connection; the
// next command connects again; during the reconnect back-off commands fail
// at once, so a caller with a fallback uses it without waiting.

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/net/transport.h"
#include "proxy/redis/resp.h"

namespace archway::redis {

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  SSL_CTX* tls = nullptr;       // set: TLS, verified as the context says
  std::string tls_server_name;  // SNI and the name to verify; empty: host
  std::string username;         // AUTH username (Redis 6 ACLs); empty: password only
  std::string password;         // empty: no AUTH
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds reconnect_backoff{250};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Callback = std::function<void(Result<Reply>)>;

  static std::shared_ptr<Connection> create(boost::asio::io_context& io, ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues `args` as one command; `done` gets its reply (a Redis error
  // reply is a Reply, not an Error) or kUnavailable.
  void send(std::vector<std::string> args, Callback done);
  // Fails what is pending and stops; later sends connect again.
  void close();

  [[nodiscard]] bool ready() const { return state_ == State::kReady; }
  [[nodiscard]] const ConnectionOptions& options() const { return options_; }

 private:
  enum class State { kIdle, kConnecting, kReady };
  struct Pending {
    Callback done;
    std::chrono::steady_clock::time_point sent;
    bool internal = false;  // AUTH: its reply is ours, not a caller's
  };

  Connection(boost::asio::io_context& io, ConnectionOptions options);
  void connect();
  void on_tcp_connected(const std::shared_ptr<net::Transport>& t);
  void on_connected();
  void fail(const std::string& why);
  void flush();
  void read();
  void on_data(size_t bytes);
  void deliver(Reply reply);
  void arm_watchdog();

  boost::asio::io_context& io_;
  const ConnectionOptions options_;
  State state_ = State::kIdle;
  // Shared with the handlers in flight: a failure drops ours at once, and
  // the socket (and a TLS stream's state) lives until they have run.
  std::shared_ptr<net::Transport> transport_;
  boost::asio::steady_timer timer_;  // connect timeout, then the command watchdog
  std::chrono::steady_clock::time_point next_connect_{};
  std::string queued_;   // commands written once connected
  std::string writing_;  // the batch in flight
  bool write_in_flight_ = false;
  std::string inbox_;
  size_t inbox_read_ = 0;
  std::array<char, 16384> read_buffer_;
  std::deque<Pending> pending_;  // sent or queued, in order
  uint64_t generation_ = 0;      // bumps on every close: stale handlers do nothing
};

}  // namespace archway::redis
