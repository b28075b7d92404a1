#pragma once
// A backend's HTTP/1 response head + body, parsed by Beast's parser. The
// head becomes a server::Response with hop-by-hop fields removed; body bytes
// (de-chunked) and trailers go to the owner as they are parsed. One instance
// per response (re-emplaced by the backend connection).

#include <boost/beast/http/basic_parser.hpp>

#include <string_view>

#include "proxy/server/message.h"

namespace archway::http1 {

class ResponseConsumer {
 public:
  virtual ~ResponseConsumer() = default;
  // Called once the head is parsed (status and fields are in the Response).
  virtual void on_response_head() = 0;
  virtual void on_response_body(std::string_view data) = 0;
};

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseParser(server::Response& response, ResponseConsumer* consumer, bool head_request);

  [[nodiscard]] server::Headers& trailers() { return trailers_; }
  [[nodiscard]] bool backend_keep_alive() const { return keep_alive(); }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int status, string_view, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  server::Response& response_;
  ResponseConsumer* consumer_;
  server::Headers trailers_;
  std::string connection_;
  bool in_trailers_ = false;
};

}  // namespace archway::http1
