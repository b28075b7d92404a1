// libFuzzer target: the backend response parser (proxy/http1/response_parser.h)
// fed arbitrary bytes in two pieces, the split chosen by the first byte, the
// way H1Connection feeds it (unconsumed bytes are offered again).
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/http/hop_by_hop.h"
#include "proxy/http1/response_parser.h"

namespace {

class Sink : public archway::http1::ResponseConsumer {
 public:
  void on_response_head() override { ++heads; }
  void on_response_body(std::string_view data) override { total += data.size(); }
  int heads = 0;
  size_t total = 0;
};

bool clean(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t split = data[0] % size;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  archway::http::Response response;
  Sink sink;
  archway::http1::ResponseParser parser(response, &sink, (data[0] & 0x80) != 0);
  std::string pending;
  size_t consumed = 0;
  for (const std::string_view piece :
       {bytes.substr(0, split), bytes.substr(std::min(split, bytes.size()))}) {
    pending.append(piece);
    boost::beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
    if (used > pending.size()) __builtin_trap();
    consumed += used;
    pending.erase(0, used);
    if (ec && ec != boost::beast::http::error::need_more) return 0;
    if (parser.is_done()) break;
  }
  if (sink.heads > 1 || sink.total > consumed) __builtin_trap();
  if (sink.heads == 1) {
    if (response.status < 100 || response.status > 999) __builtin_trap();
    for (const auto& h : response.headers) {
      if (h.name.empty() || archway::http::is_hop_by_hop(h.name) || h.name == "content-length" ||
          !clean(h.name) || !clean(h.value)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
