#pragma once
// Accepted client sockets → the right codec (dispatch.cc).

#include <boost/asio/ip/tcp.hpp>

#include "proxy/client/client_host.h"

namespace archway::client {

// Starts serving one accepted client socket: sniffs the h2c preface on
// cleartext, runs the TLS handshake and ALPN on TLS. Worker-thread only.
void start_client_connection(ClientHost& host, boost::asio::ip::tcp::socket socket, bool tls);

}  // namespace archway::client
