#pragma once
// Redis for the proxy (docs/ratelimit.md "The Redis client"): one node, or
// a Redis Cluster whose slot map is learnt from CLUSTER SLOTS and corrected
// by MOVED and ASK redirections. Lives on one io_context (the Redis
// thread's); every call and callback happens there.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "proxy/redis/connection.h"

namespace archway::redis {

struct NodeAddress {
  std::string host;
  uint16_t port = 6379;
  bool operator<(const NodeAddress& o) const {
    return std::tie(host, port) < std::tie(o.host, o.port);
  }
};

struct ClientOptions {
  std::vector<NodeAddress> seeds;  // one node; or any nodes of a cluster
  bool cluster = false;
  ConnectionOptions connection;  // for every node (host and port replaced)
};

class Client {
 public:
  using Callback = Connection::Callback;

  Client(boost::asio::io_context& io, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // `args` on the node that owns `key` (every node, for a single Redis).
  void send(std::string_view key, std::vector<std::string> args, Callback done);

  // Redirections followed (a cluster resharding or failing over).
  [[nodiscard]] uint64_t redirections() const { return redirections_; }

 private:
  static constexpr int kMaxRedirections = 3;

  std::shared_ptr<Connection> node(const NodeAddress& address);
  const NodeAddress& owner(uint16_t slot) const;
  void attempt(uint16_t slot, const NodeAddress& target, bool asking,
               std::shared_ptr<std::vector<std::string>> args, Callback done, int redirects);
  void refresh_slots();

  boost::asio::io_context& io_;
  const ClientOptions options_;
  std::map<NodeAddress, std::shared_ptr<Connection>> nodes_;
  std::vector<NodeAddress> slot_owner_;  // by slot; empty until learnt (cluster only)
  bool refreshing_ = false;
  size_t next_seed_ = 0;
  uint64_t redirections_ = 0;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK ..." → the slot and the node.
[[nodiscard]] bool parse_redirection(std::string_view error, std::string_view kind, uint16_t& slot,
                                     NodeAddress& to);

}  // namespace archway::redis
