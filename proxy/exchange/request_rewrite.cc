#include "proxy/exchange/request_rewrite.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "proxy/http/hop_by_hop.h"

namespace archway::exchange {

using http::Header;
using http::lowercase;
namespace {

// Two hex digits per byte value, so ids are written a byte at a time.
constexpr std::array<char, 512> kHexPairs = [] {
  constexpr char kHex[] = "0123456789abcdef";
  std::array<char, 512> t{};
  for (int i = 0; i < 256; ++i) {
    t[2 * i] = kHex[i >> 4];
    t[2 * i + 1] = kHex[i & 0xf];
  }
  return t;
}();

// Writes the low `digits` hex digits of v at out (most significant first);
// returns the end.
char* put_hex(char* out, uint64_t v, int digits) {
  int i = digits;
  while (i >= 2) {
    i -= 2;
    std::memcpy(out + i, &kHexPairs[(v & 0xff) * 2], 2);
    v >>= 8;
  }
  if (i == 1) out[0] = kHexPairs[(v & 0xf) * 2 + 1];
  return out + digits;
}

}  // namespace

bool valid_traceparent(std::string_view v) {
  // version "-" trace-id(32) "-" parent-id(16) "-" flags(2), lowercase hex;
  // all-zero ids and version ff are invalid (W3C Trace Context §3.2).
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  if (v.size() > 55 && v[55] != '-') return false;
  auto hex = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  const auto version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16),
             flags = v.substr(53, 2);
  if (!hex(version) || !hex(trace) || !hex(parent) || !hex(flags) || version == "ff") return false;
  if (version == "00" && v.size() != 55) return false;
  return trace != std::string(32, '0') && parent != std::string(16, '0');
}

std::string_view sampled_trace_id(const Headers& headers) {
  for (const auto& h : headers) {
    if (h.name != "traceparent") continue;
    const std::string_view v = h.value;
    // "vv-<32 hex>-<16 hex>-ff": flags' low bit is `sampled`.
    if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return {};
    const char low = v[54];
    const bool sampled = low == '1' || low == '3' || low == '5' || low == '7' || low == '9' ||
                         low == 'b' || low == 'd' || low == 'f';
    return sampled ? v.substr(3, 32) : std::string_view();
  }
  return {};
}

void add_forwarding_headers(Headers& headers, std::string_view client_ip, std::string_view scheme,
                            std::mt19937_64& rng) {
  bool has_xff = false, has_request_id = false, has_traceparent = false;
  for (auto it = headers.begin(); it != headers.end();) {
    if (it->name == "x-forwarded-for") {
      if (!has_xff) {
        it->value.append(", ").append(client_ip);
        has_xff = true;
      }
    } else if (it->name == "x-forwarded-proto") {
      it = headers.erase(it);
      continue;
    } else if (it->name == "x-request-id") {
      has_request_id = true;
    } else if (it->name == "traceparent") {
      if (!valid_traceparent(it->value)) {
        it = headers.erase(it);
        continue;
      }
      has_traceparent = true;
    }
    ++it;
  }
  // add(): into spare strings, no allocation on a keep-alive connection.
  if (!has_xff) headers.add("x-forwarded-for", client_ip);
  headers.add("x-forwarded-proto", scheme);
  if (!has_request_id) {
    char id[36];
    const uint64_t a = rng(), b = rng();
    // UUID v4 layout.
    char* p = put_hex(id, a >> 32, 8);
    *p++ = '-';
    p = put_hex(p, (a >> 16) & 0xffff, 4);
    *p++ = '-';
    p = put_hex(p, 0x4000 | (a & 0x0fff), 4);
    *p++ = '-';
    p = put_hex(p, 0x8000 | ((b >> 48) & 0x3fff), 4);
    *p++ = '-';
    put_hex(p, b & 0xffffffffffffULL, 12);
    headers.add("x-request-id", std::string_view(id, sizeof id));
  }
  if (!has_traceparent) {
    char tp[55];
    std::memcpy(tp, "00-", 3);
    char* p = put_hex(tp + 3, rng() | 1, 16);
    p = put_hex(p, rng(), 16);
    *p++ = '-';
    p = put_hex(p, rng() | 1, 16);
    std::memcpy(p, "-01", 3);
    headers.add("traceparent", std::string_view(tp, sizeof tp));
  }
}

}  // namespace archway::exchange
