#pragma once
// HTTPS backends whose ALPN does not choose h2 (http/1.1, or no ALPN at
// all): the requests queued on the HTTP/2 attempt (h2_session.h) move to
// HTTP/1.1 connections (h1_connection.h) before any byte of them was sent.
// The first one takes the TLS connection the attempt just made; the
// exchange is told (BackendEvents::on_backend_replaced) and from then on
// talks to the HTTP/1.1 connection. Worker-thread only.

#include <memory>
#include <string>

#include "proxy/http/message.h"

namespace archway::backend {

class H1Connection;
class H2Stream;

// The HTTP/1.1 request head for an HTTP/2 header list made by
// h2_request_head (h2_sessions.h): request line and host from the
// pseudo-fields, the regular fields as they are ("te" dropped: it would
// need "connection: te"), and "transfer-encoding: chunked" when a body
// follows without content-length (then `chunked` is set).
[[nodiscard]] std::string http1_head_from_h2(const http::Headers& h2_head, bool has_body,
                                             bool& chunked);

// Moves `stream` (queued, never submitted, not detached) onto `connection`:
// tells the exchange, starts the request there and replays the body and
// trailers the exchange already gave. `stream` is disowned; the caller
// destroys it.
void carry_over_to_http1(H2Stream& stream, const std::shared_ptr<H1Connection>& connection);

}  // namespace archway::backend
