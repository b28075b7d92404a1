#pragma once
// A backend's HTTP/1 response head + body. The head becomes a
// http::Response with hop-by-hop fields removed; body bytes (de-chunked)
// and trailers go to the owner as they are parsed. One instance per response
// (re-emplaced by the backend connection).
//
// Hand-written rather than Boost.Beast's basic_parser (which the request side
// still uses): callgrind put Beast's response parsing at ~4.5k instructions
// per proxied request, a fifth of the proxy's user time, most of it a field
// enum lookup and a second validation pass we do not need (docs/decisions.md).
// It is as strict as RFC 9112 asks of a proxy reading responses: CRLF line
// endings only, no obs-fold (RFC 9112 §5.2 lets a proxy answer 502 instead
// of unfolding), no NUL or other CTLs, token field names with no whitespace
// before the colon, one Content-Length value (repeats must agree),
// Transfer-Encoding exactly "chunked" (anything else would reach the client
// without its coding), chunk sizes that fit in 64 bits. Any error makes the
// backend connection unusable (the owner answers 502 and closes it).
// Fuzzed by tests/fuzz/http1_response_fuzz.cc.

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/http/message.h"

namespace archway::http1 {

class ResponseConsumer {
 public:
  virtual ~ResponseConsumer() = default;
  // Called once the head is parsed (status and fields are in the Response).
  virtual void on_response_head() = 0;
  virtual void on_response_body(std::string_view data) = 0;
};

class ResponseParser {
 public:
  // Heads (and trailer sections) above this are refused.
  static constexpr size_t kMaxHeadBytes = 64 * 1024;

  ResponseParser(http::Response& response, ResponseConsumer* consumer, bool head_request);

  // Parses what it can of `buffer` and returns the bytes it consumed. Sets
  // `ec` to http::error::need_more when it needs more bytes to go on (having
  // consumed what it could), or to another http::error on a malformed
  // response. Body bytes are delivered to the consumer as they are consumed.
  size_t put(boost::asio::const_buffer buffer, boost::beast::error_code& ec);
  // The backend closed the connection: completes a close-delimited body,
  // else sets http::error::partial_message.
  void put_eof(boost::beast::error_code& ec);

  [[nodiscard]] bool is_done() const { return state_ == State::kDone; }
  // The body runs until the backend closes the connection.
  [[nodiscard]] bool need_eof() const { return state_ == State::kUntilEof; }
  [[nodiscard]] http::Headers& trailers() { return trailers_; }
  [[nodiscard]] bool backend_keep_alive() const { return keep_alive_; }

 private:
  enum class State {
    kHead,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kUntilEof,
    kDone
  };
  using error_code = boost::beast::error_code;

  size_t parse_head(std::string_view in, error_code& ec);
  // Fields of a validated, CRLF-terminated section (no final empty line).
  // Returns false on a malformed field.
  bool parse_fields(std::string_view section, bool trailers, error_code& ec);
  bool on_field(std::string_view name, std::string_view value, bool trailers, error_code& ec);
  size_t parse_chunk_size(std::string_view in, error_code& ec);
  size_t parse_trailers(std::string_view in, error_code& ec);

  http::Response& response_;
  ResponseConsumer* consumer_;
  bool head_request_;
  State state_ = State::kHead;
  int version_ = 11;
  uint64_t remaining_ = 0;  // body or chunk bytes still to come
  size_t field_count_ = 0;  // response_.headers entries in use (the rest are reused storage)
  http::Headers trailers_;
  std::string connection_;  // Connection field value(s), for token removal
  std::optional<uint64_t> content_length_;
  bool chunked_ = false;
  bool keep_alive_ = true;
  bool close_token_ = false;
  bool keep_alive_token_ = false;
};

}  // namespace archway::http1
