// Accepted client sockets → the right codec. Cleartext: HTTP/1.1, which
// hands over to HTTP/2 when it sniffs the h2c preface. TLS: handshake with
// the pinned table's certificates (SNI picks among them), then ALPN decides.
#include "proxy/client/dispatch.h"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>

#include "proxy/client/h1_connection.h"
#include "proxy/client/h2_session.h"
#include "proxy/tls/server_tls.h"

namespace archway::client {

namespace asio = boost::asio;

namespace {

// Keeps the transport, the pinned TLS contexts and a deadline alive for the
// duration of one handshake.
struct Handshake : std::enable_shared_from_this<Handshake> {
  Handshake(ClientHost& w, std::unique_ptr<net::Transport> t,
            std::shared_ptr<const exchange::TableContext> tc)
      : worker(w), transport(std::move(t)), table(std::move(tc)), timer(w.io()) {}
  ClientHost& worker;
  std::unique_ptr<net::Transport> transport;
  std::shared_ptr<const exchange::TableContext> table;
  asio::steady_timer timer;

  void run() {
    timer.expires_after(table->limits().header_timeout);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && self->transport) self->transport->close();
    });
    transport->tls()->async_handshake(
        asio::ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
          self->timer.cancel();
          if (ec) {
            spdlog::debug("TLS handshake failed: {}", ec.message());
            self->transport->close();
            return;
          }
          auto transport = std::move(self->transport);
          if (tls::negotiated_h2(transport->tls()->native_handle())) {
            H2Session::start(self->worker, std::move(transport), {});
          } else {
            std::make_shared<H1Connection>(self->worker, std::move(transport), false)->start();
          }
        });
  }
};

}  // namespace

void start_client_connection(ClientHost& worker, asio::ip::tcp::socket socket, bool tls) {
  auto transport = std::make_unique<net::Transport>(std::move(socket));
  if (!tls) {
    std::make_shared<H1Connection>(worker, std::move(transport), true)->start();
    return;
  }
  const auto& table = worker.table();
  if (!table || !table->tls) {
    transport->close();  // a TLS listener with no certificate in this table
    return;
  }
  transport->enable_tls(table->tls->default_context());
  std::make_shared<Handshake>(worker, std::move(transport), table)->run();
}

}  // namespace archway::client
