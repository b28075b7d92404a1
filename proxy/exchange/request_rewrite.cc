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
  // Every forwarded request passes here: no allocation, one table lookup
  // per character.
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  if (v.size() > 55 && v[55] != '-') return false;
  static constexpr std::array<bool, 256> kLowerHex = [] {
    std::array<bool, 256> t{};
    for (char c : std::string_view("0123456789abcdef")) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  auto hex = [&](size_t from, size_t n, bool& all_zero) {
    all_zero = true;
    for (size_t i = from; i < from + n; ++i) {
      if (!kLowerHex[static_cast<unsigned char>(v[i])]) return false;
      all_zero = all_zero && v[i] == '0';
    }
    return true;
  };
  bool zero_version = false, zero_trace = false, zero_parent = false, zero_flags = false;
  if (!hex(0, 2, zero_version) || !hex(3, 32, zero_trace) || !hex(36, 16, zero_parent) ||
      !hex(53, 2, zero_flags)) {
    return false;
  }
  if (v[0] == 'f' && v[1] == 'f') return false;
  if (zero_version && v.size() != 55) return false;
  return !zero_trace && !zero_parent;
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
                            std::mt19937_64& rng, uint8_t new_trace_flags) {
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
    *p++ = '-';
    put_hex(p, new_trace_flags, 2);
    headers.add("traceparent", std::string_view(tp, sizeof tp));
  }
}

}  // namespace archway::exchange
