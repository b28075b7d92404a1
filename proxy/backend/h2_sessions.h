#pragma once
// Per worker, per route table: one multiplexed HTTP/2 connection per backend
// endpoint (h2c, or h2 over TLS with ALPN for HTTPS clusters). Worker-thread
// only. A table swap retires the set: open sessions finish their streams and
// then close; new requests go to the new set's sessions.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <map>
#include <memory>
#include <string>

#include "proxy/config/snapshot.h"
#include "proxy/server/message.h"

namespace archway::backend {

class H2Session;

class H2Sessions {
 public:
  explicit H2Sessions(boost::asio::io_context& io) : io_(io) {}
  ~H2Sessions();
  // Opens a stream for `request` (head sent at once; body through the
  // returned stream). nullptr when the request cannot be sent.
  [[nodiscard]] server::BackendStream* open(const config::Cluster& cluster,
                                            const boost::asio::ip::tcp::endpoint& endpoint,
                                            const server::Request& request, const std::string& path,
                                            server::BackendEvents* events);
  void retire();
  void forget(const H2Session* session);

 private:
  boost::asio::io_context& io_;
  std::map<boost::asio::ip::tcp::endpoint, std::shared_ptr<H2Session>> sessions_;
  bool retired_ = false;
};

}  // namespace archway::backend
