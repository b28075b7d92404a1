#pragma once
// One client request head + body on an HTTP/1 connection, parsed by
// Boost.Beast's strict incremental parser plus our RFC 9112 checks
// (head_validator.h). The head becomes a http::Request with hop-by-hop
// fields removed; body bytes (de-chunked) go to a BodyConsumer as they are
// parsed, so nothing is buffered here (the consumer forwards them once the
// put() that parsed them succeeded: http1/client_connection.h). One
// instance per request: Beast's parser cannot be reset, so the connection
// re-emplaces it (no heap).

#include <boost/beast/http/basic_parser.hpp>

#include <string_view>

#include "proxy/http/message.h"
#include "proxy/http1/head_validator.h"

namespace archway::http1 {

class BodyConsumer {
 public:
  virtual ~BodyConsumer() = default;
  virtual void on_body_bytes(std::string_view data) = 0;
};

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `request` is filled in place (the connection reuses it across requests).
  RequestParser(http::Request& request, uint32_t max_header_bytes, size_t max_header_count);

  void set_body_consumer(BodyConsumer* consumer) { consumer_ = consumer; }
  // Our own check's verdict when put() failed with a field error.
  [[nodiscard]] HeadError head_error() const { return head_error_; }
  [[nodiscard]] bool client_wants_close() const { return !keep_alive(); }
  // A chunked body's first chunk header parsed (and so was valid).
  [[nodiscard]] bool chunk_header_seen() const { return chunk_header_seen_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {
    chunk_header_seen_ = true;
  }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  http::Request& request_;
  HeadChecker checker_;
  HeadError head_error_ = HeadError::kNone;
  BodyConsumer* consumer_ = nullptr;
  std::string connection_;  // Connection field value(s), for token removal
  bool in_trailers_ = false;
  bool chunk_header_seen_ = false;
};

}  // namespace archway::http1
