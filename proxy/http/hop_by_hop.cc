#include "proxy/http/hop_by_hop.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace archway::http {

bool is_hop_by_hop(std::string_view name) {
  switch (name.size()) {
    case 2:
      return name == "te";
    case 7:
      return name == "upgrade" || name == "trailer";
    case 10:
      return name == "connection" || name == "keep-alive";
    case 16:
      return name == "proxy-connection";
    case 17:
      return name == "transfer-encoding";
    default:
      return false;
  }
}

void lowercase(std::string& s) {
  // Eight bytes at a time (SWAR): for a byte b below 0x80, b + 0x3f has its
  // top bit set iff b >= 'A', b + 0x25 iff b > 'Z'; neither carries into the
  // next byte. Bytes with the top bit set are left alone.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t low7 = x & (0x7f * kOnes);
    const uint64_t upper = (low7 + (0x80 - 'A') * kOnes) ^ (low7 + (0x7f - 'Z') * kOnes);
    x |= (upper & ~x & (0x80 * kOnes)) >> 2;
    std::memcpy(p, &x, 8);
  }
  for (; n > 0; ++p, --n) {
    if (*p >= 'A' && *p <= 'Z') *p = static_cast<char>(*p - 'A' + 'a');
  }
}

void remove_connection_tokens(Headers& headers, std::string_view connection) {
  while (!connection.empty()) {
    const auto comma = connection.find(',');
    std::string_view token = connection.substr(0, comma);
    connection =
        comma == std::string_view::npos ? std::string_view{} : connection.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token.empty()) continue;
    std::string lower(token);
    lowercase(lower);
    // Never let a client strip the fields the proxy itself adds or relies on.
    // "keep-alive" (most Connection values) names a hop-by-hop field the
    // codecs already dropped: nothing left to look for.
    if (lower == "host" || lower == "x-forwarded-for" || lower == "x-request-id" ||
        lower == "keep-alive") {
      continue;
    }
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const Header& h) { return h.name == lower; }),
                  headers.end());
  }
}

}  // namespace archway::http
