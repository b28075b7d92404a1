#pragma once
// What a client connection needs of the worker that accepted it: the
// exchange's view (ExchangeHost, handed on to each exchange), the event
// loop, the table new requests pin, and connection tracking for drain and
// the connections gauge. server::Worker implements it; the codecs never
// include server/ (a request flows down the folders, never back up).
//
// Worker-thread only.

#include <boost/asio/io_context.hpp>

#include <memory>

#include "proxy/exchange/exchange_host.h"
#include "proxy/exchange/table_context.h"

namespace archway::client {

class Connection;

class ClientHost : public exchange::ExchangeHost {
 public:
  [[nodiscard]] virtual boost::asio::io_context& io() = 0;
  // The current table; null until the first snapshot is live.
  [[nodiscard]] virtual const std::shared_ptr<const exchange::TableContext>& table() const = 0;
  virtual void add_connection(Connection* c) = 0;
  // Idempotent: a connection may call it from close() and its destructor.
  virtual void remove_connection(Connection* c) = 0;

 protected:
  ~ClientHost() = default;
};

}  // namespace archway::client
