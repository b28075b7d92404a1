#include "proxy/filters/aggregate/part_request.h"

#include <algorithm>

namespace archway::filters::aggregate {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void append_encoded(std::string& out, std::string_view capture) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const bool dot_segment = capture == "." || capture == "..";
  for (size_t i = 0; i < capture.size(); ++i) {
    const auto c = static_cast<unsigned char>(capture[i]);
    const bool escape_kept =
        c == '%' && i + 2 < capture.size() && is_hex(capture[i + 1]) && is_hex(capture[i + 2]);
    if ((is_unreserved(c) && !(dot_segment && c == '.')) || escape_kept) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
}

}  // namespace

std::string fill_part_path(std::string_view text, const Captures& captures) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    const size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, open - i));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto it = std::find_if(captures.begin(), captures.end(),
                                 [&](const auto& capture) { return capture.first == name; });
    if (it != captures.end()) append_encoded(out, it->second);
    i = close + 1;
  }
  return out;
}

http::Headers forwarded_headers(const http::Headers& client, const config::Aggregate& aggregate) {
  http::Headers out;
  for (const http::Header& h : client) {
    const bool listed =
        std::find(aggregate.forward_headers.begin(), aggregate.forward_headers.end(), h.name) !=
        aggregate.forward_headers.end();
    if (listed || (aggregate.forward_authorization && h.name == "authorization")) {
      out.add(h.name, h.value);
    }
  }
  return out;
}

}  // namespace archway::filters::aggregate
