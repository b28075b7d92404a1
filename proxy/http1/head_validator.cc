#include "proxy/http1/head_validator.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "proxy/http/field_text.h"

namespace archway::http1 {
namespace {

using http::iequals;
using http::trim_ows;

// RFC 3986 reg-name / IPv4 characters: unreserved / pct-encoded / sub-delims.
bool reg_name_char(unsigned char c) {
  if (std::isalnum(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}

// The index of the first control character (NUL, CR, LF, HTAB, any other
// byte below 0x20, DEL) in p[i, n), or n. Eight bytes at a time (SWAR):
// (v - 0x20..) & ~v & 0x80.. flags the bytes of v below 0x20, exact for the
// lowest one (a borrow only reaches bytes above it), and the same on
// v ^ 0x7f.. flags DEL, so the lowest flag of the two is the first match.
// Request and response heads go through here; per byte it was most of
// scan_head's cost.
size_t find_control(const char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  // Sixteen bytes at a time where SSE2 exists (every x86-64): c < 0x20
  // exactly when min(c, 0x1f) == c, unsigned.
  const __m128i below = _mm_set1_epi8(0x1f);
  const __m128i del_byte = _mm_set1_epi8(0x7f);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i ctl =
        _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, below), v), _mm_cmpeq_epi8(v, del_byte));
    const int mask = _mm_movemask_epi8(ctl);
    if (mask != 0) return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHigh = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
      uint64_t v;
      std::memcpy(&v, p + i, 8);
      const uint64_t del = v ^ (kOnes * 0x7f);
      const uint64_t hit = (((v - kOnes * 0x20) & ~v) | ((del - kOnes) & ~del)) & kHigh;
      if (hit != 0) return i + static_cast<size_t>(std::countr_zero(hit) >> 3);
    }
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == 0x7f) return i;
  }
  return n;
}

}  // namespace

const char* to_string(HeadError error) {
  switch (error) {
    case HeadError::kNone:
      return "ok";
    case HeadError::kNeedMore:
      return "incomplete request head";
    case HeadError::kBareLineEnding:
      return "bare CR or LF in request head";
    case HeadError::kObsFold:
      return "obsolete line folding";
    case HeadError::kNulByte:
      return "NUL in request head";
    case HeadError::kControlChar:
      return "control character in request head";
    case HeadError::kTooLarge:
      return "request head too large";
    case HeadError::kBadTransferEncoding:
      return "unsupported Transfer-Encoding";
    case HeadError::kBadContentLength:
      return "invalid Content-Length";
    case HeadError::kMissingHost:
      return "missing Host";
    case HeadError::kDuplicateHost:
      return "duplicate Host";
    case HeadError::kBadHost:
      return "invalid Host";
    case HeadError::kBadTarget:
      return "invalid request target";
    case HeadError::kHostMismatch:
      return "absolute-form target does not match Host";
    case HeadError::kBadVersion:
      return "unsupported HTTP version";
    case HeadError::kMethodNotAllowed:
      return "method not allowed";
    case HeadError::kTooManyHeaders:
      return "too many header fields";
  }
  return "invalid request";
}

HeadError scan_head(std::string_view bytes, size_t max_bytes, size_t& head_size) {
  // One pass: every LF must follow a CR, every CR must precede a LF, and no
  // line after the request line may start with SP/HTAB (obs-fold; RFC 9112
  // §5.2 lets a server reject it, and unfolding invites smuggling).
  const size_t n = std::min(bytes.size(), max_bytes);
  bool line_start = false;  // the request line itself may not be "folded"
  for (size_t i = 0; i < n; ++i) {
    char c = bytes[i];
    if (!line_start) {
      // Fast path: skip the ordinary bytes of a line (all but NUL, CR, LF);
      // only the first byte of a line needs the obs-fold check.
      i = find_control(bytes.data(), i, n);
      if (i == n) return bytes.size() >= max_bytes ? HeadError::kTooLarge : HeadError::kNeedMore;
      c = bytes[i];
    }
    if (c == '\0') return HeadError::kNulByte;
    if (c == '\r') {
      if (i + 1 >= bytes.size()) return HeadError::kNeedMore;
      if (bytes[i + 1] != '\n') return HeadError::kBareLineEnding;
      continue;
    }
    if (c == '\n') {
      if (i == 0 || bytes[i - 1] != '\r') return HeadError::kBareLineEnding;
      if (i >= 3 && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
        head_size = i + 1;
        return HeadError::kNone;
      }
      line_start = true;
      continue;
    }
    if (c == '\t') {
      if (line_start) return HeadError::kObsFold;
      continue;  // HTAB is allowed inside a line (OWS, field values)
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return HeadError::kControlChar;
    if (line_start && c == ' ') return HeadError::kObsFold;
    line_start = false;
  }
  return bytes.size() >= max_bytes ? HeadError::kTooLarge : HeadError::kNeedMore;
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  std::string_view name = host;
  std::string_view port;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : host.substr(1, close - 1)) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    }
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    const auto colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
      if (name.empty()) return false;
    }
    for (char c : name) {
      if (!reg_name_char(static_cast<unsigned char>(c))) return false;
    }
  }
  if (port.size() > 5) return false;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void HeadChecker::reset() {
  count_ = 0;
  host_count_ = 0;
  te_count_ = 0;
  te_chunked_only_ = true;
  has_content_length_ = false;
  host_.clear();
}

HeadError HeadChecker::on_field(std::string_view name, std::string_view value) {
  if (++count_ > max_count_) return HeadError::kTooManyHeaders;
  if (iequals(name, "host")) {
    if (++host_count_ > 1) return HeadError::kDuplicateHost;
    if (!valid_host(value)) return HeadError::kBadHost;
    host_.assign(value);
    return HeadError::kNone;
  }
  if (iequals(name, "transfer-encoding")) {
    // Only a single "chunked" coding is supported: anything else either
    // means a coding we cannot decode or a length another hop may read
    // differently (RFC 9112 §6.1, §6.3).
    ++te_count_;
    if (te_count_ > 1 || has_content_length_) return HeadError::kBadTransferEncoding;
    if (!iequals(trim_ows(value), "chunked")) te_chunked_only_ = false;
    return te_chunked_only_ ? HeadError::kNone : HeadError::kBadTransferEncoding;
  }
  if (iequals(name, "content-length")) {
    if (te_count_ > 0) return HeadError::kBadContentLength;
    // Beast accepts "5, 5" and repeated equal fields; we accept those too
    // (RFC 9110 §8.6) but never an empty or non-digit value.
    std::string_view v = trim_ows(value);
    if (v.empty()) return HeadError::kBadContentLength;
    for (char c : v) {
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' && c != ' ') {
        return HeadError::kBadContentLength;
      }
    }
    has_content_length_ = true;
    return HeadError::kNone;
  }
  return HeadError::kNone;
}

HeadError HeadChecker::finish(std::string_view method, std::string_view target, int version) const {
  if (version != 10 && version != 11) return HeadError::kBadVersion;
  if (method == "CONNECT") return HeadError::kMethodNotAllowed;
  if (te_count_ > 0 && version == 10) return HeadError::kBadTransferEncoding;
  if (version == 11 && host_count_ == 0) return HeadError::kMissingHost;
  if (target.empty()) return HeadError::kBadTarget;
  if (target == "*") return method == "OPTIONS" ? HeadError::kNone : HeadError::kBadTarget;
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#') return HeadError::kBadTarget;
  }
  if (target.front() == '/') return HeadError::kNone;
  // absolute-form: scheme "://" authority path-abempty
  std::string_view rest;
  if (target.size() > 7 && iequals(target.substr(0, 7), "http://")) {
    rest = target.substr(7);
  } else if (target.size() > 8 && iequals(target.substr(0, 8), "https://")) {
    rest = target.substr(8);
  } else {
    return HeadError::kBadTarget;
  }
  const auto end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos || !valid_host(authority)) {
    return HeadError::kBadTarget;
  }
  // RFC 9112 §3.2.2 says the server ignores Host for absolute-form; two
  // hops that disagree on which one wins is a routing bypass, so we demand
  // they agree.
  if (host_count_ > 0 && !iequals(authority, host_)) return HeadError::kHostMismatch;
  return HeadError::kNone;
}

}  // namespace archway::http1
