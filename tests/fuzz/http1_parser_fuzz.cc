// libFuzzer target: the client HTTP/1 request-head path (our RFC 9112 scan,
// Beast's parser, HeadChecker and hop-by-hop handling), fed arbitrary bytes
// the way H1Connection feeds them, then the body in two pieces.
#include <boost/asio/buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/http1/head_validator.h"
#include "proxy/http1/request_parser.h"

namespace {

class Sink : public archway::http1::BodyConsumer {
 public:
  void on_body_bytes(std::string_view data) override { total += data.size(); }
  size_t total = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t head_size = 0;
  if (archway::http1::scan_head(bytes, 8192, head_size) != archway::http1::HeadError::kNone) {
    return 0;
  }
  archway::http::Request request;
  archway::http1::RequestParser parser(request, 8192, 100);
  Sink sink;
  parser.set_body_consumer(&sink);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(bytes.data(), head_size), ec);
  if (ec || !parser.is_header_done()) return 0;
  // Invariants of an accepted head.
  if (request.target.empty()) __builtin_trap();
  for (const auto& h : request.headers) {
    if (h.name == "transfer-encoding" || h.name == "connection" || h.name == "content-length") {
      __builtin_trap();
    }
  }
  std::string_view rest = bytes.substr(used);
  const size_t half = rest.size() / 2;
  for (std::string_view piece : {rest.substr(0, half), rest.substr(half)}) {
    while (!piece.empty() && !parser.is_done()) {
      const size_t n = parser.put(boost::asio::buffer(piece.data(), piece.size()), ec);
      if (ec) return 0;
      if (n == 0) break;
      piece.remove_prefix(n);
    }
  }
  return 0;
}
