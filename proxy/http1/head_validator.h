#pragma once
// RFC 9112 strictness checks for a client's HTTP/1 request head, on top of
// what Boost.Beast's parser already rejects. Beast (1.74) rejects bad tokens,
// CTLs in values, Content-Length lists with different values, and CL +
// "chunked" in either order. It accepts, and we must reject because each one
// has been used for request smuggling or cache poisoning:
//   - obs-fold (Beast unfolds it), bare LF / bare CR line endings, NUL;
//   - Transfer-Encoding other than exactly "chunked" (e.g. "gzip, chunked",
//     "chunked, gzip", two TE fields), TE on HTTP/1.0, TE together with any
//     Content-Length;
//   - a missing or duplicated Host on HTTP/1.1, an invalid Host value, and an
//     absolute-form target whose authority differs from Host;
//   - request targets that are not origin-form, absolute-form (http/https),
//     or "*" for OPTIONS; CONNECT (we are not a forward proxy).
// Pure functions and a small accumulator: no I/O, no allocation beyond the
// checker's own strings; fuzzed by tests/fuzz/http1_parser_fuzz.cc.

#include <cstddef>
#include <string>
#include <string_view>

namespace archway::http1 {

enum class HeadError {
  kNone,
  kNeedMore,        // no CRLFCRLF yet
  kBareLineEnding,  // LF without CR, or CR without LF
  kObsFold,         // a field line starting with SP / HTAB
  kNulByte,
  kControlChar,  // a CTL other than HTAB, CR, LF (NUL has its own)
  kTooLarge,     // head exceeds the limit before it ended
  kBadTransferEncoding,
  kBadContentLength,
  kMissingHost,
  kDuplicateHost,
  kBadHost,
  kBadTarget,
  kHostMismatch,  // absolute-form authority != Host
  kBadVersion,
  kMethodNotAllowed,  // CONNECT
  kTooManyHeaders,
};

[[nodiscard]] const char* to_string(HeadError error);

// Finds the end of the request head in `bytes` (which start at the request
// line; leading empty lines, allowed by RFC 9112 §2.2, must be stripped by
// the caller). Returns kNone and sets `head_size` (including the final CRLF
// CRLF) when the head is complete and well delimited, kNeedMore when more
// bytes are needed, or the first framing error found. A complete head has
// CRLF line endings only, no obs-fold, and no control characters but HTAB.
[[nodiscard]] HeadError scan_head(std::string_view bytes, size_t max_bytes, size_t& head_size);

// True when `host` is a valid uri-host [ ":" port ] (reg-name, IPv4 or an
// IP-literal in brackets). Empty is invalid.
[[nodiscard]] bool valid_host(std::string_view host);

// Accumulates the fields of one request head as the parser reports them and
// judges the whole at the end. One instance per request (reset() to reuse).
class HeadChecker {
 public:
  explicit HeadChecker(size_t max_header_count = 100) : max_count_(max_header_count) {}
  void reset();
  // name as received (any case), value already trimmed by the parser.
  [[nodiscard]] HeadError on_field(std::string_view name, std::string_view value);
  // Called once the head is complete. version: 10 or 11.
  [[nodiscard]] HeadError finish(std::string_view method, std::string_view target,
                                 int version) const;
  [[nodiscard]] std::string_view host() const { return host_; }
  [[nodiscard]] bool has_transfer_encoding() const { return te_count_ > 0; }

 private:
  size_t max_count_;
  size_t count_ = 0;
  int host_count_ = 0;
  int te_count_ = 0;
  bool te_chunked_only_ = true;
  bool has_content_length_ = false;
  std::string host_;
};

}  // namespace archway::http1
