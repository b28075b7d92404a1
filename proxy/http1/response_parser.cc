#include "proxy/http1/response_parser.h"

#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <array>
#include <cstring>

#include "proxy/http/field_text.h"
#include "proxy/http/hop_by_hop.h"
#include "proxy/http1/head_validator.h"

namespace archway::http1 {

namespace http = boost::beast::http;

namespace {

// A chunk-size line (size, extensions, CRLF) longer than this is refused.
constexpr size_t kMaxChunkLine = 4096;

constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
// RFC 9110 §5.6.2 tchar.
constexpr auto kTokenChar = make_token_table();

constexpr std::array<bool, 256> make_text_table() {
  std::array<bool, 256> t{};
  t['\t'] = true;
  for (int c = 0x20; c <= 0x7e; ++c) t[c] = true;
  for (int c = 0x80; c <= 0xff; ++c) t[c] = true;
  return t;
}
// Field values, reason phrases and chunk extensions: HTAB, SP, VCHAR, obs-text.
constexpr auto kTextChar = make_text_table();

bool all_of(std::string_view s, const std::array<bool, 256>& table) {
  for (char c : s) {
    if (!table[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

using ::archway::http::trim_ows;

using ::archway::http::iequals;

// 1*DIGIT with no overflow; a list of equal values ("5, 5") is one value
// (RFC 9110 §8.6), unequal ones are an error.
bool parse_content_length(std::string_view value, uint64_t& out) {
  bool have = false;
  while (true) {
    const auto comma = value.find(',');
    const std::string_view item = trim_ows(value.substr(0, comma));
    if (item.empty() || item.size() > 19) return false;
    uint64_t n = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (have && n != out) return false;
    out = n;
    have = true;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// Notes "close" / "keep-alive" among the comma-separated Connection tokens.
void scan_connection_tokens(std::string_view value, bool& close, bool& keep_alive) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    const std::string_view token = trim_ows(value.substr(0, comma));
    if (iequals(token, "close")) close = true;
    if (iequals(token, "keep-alive")) keep_alive = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// scan_head over a head or a trailer section: true once it is complete
// (`size` set); false when more bytes are needed, or with `ec` set: `bad_text`
// for obs-fold and control characters, `bad_framing` for line endings and
// NUL, header_limit past kMaxHeadBytes.
bool scan_section(std::string_view in, size_t& size, http::error bad_text, http::error bad_framing,
                  boost::beast::error_code& ec) {
  switch (scan_head(in, ResponseParser::kMaxHeadBytes, size)) {
    case HeadError::kNone:
      return true;
    case HeadError::kNeedMore:
      return false;
    case HeadError::kTooLarge:
      ec = http::error::header_limit;
      return false;
    case HeadError::kObsFold:
    case HeadError::kControlChar:
      ec = bad_text;
      return false;
    default:
      ec = bad_framing;
      return false;
  }
}

}  // namespace

ResponseParser::ResponseParser(archway::http::Response& response, ResponseConsumer* consumer,
                               bool head_request)
    : response_(response), consumer_(consumer), head_request_(head_request) {
  response_.content_length.reset();
}

size_t ResponseParser::put(boost::asio::const_buffer buffer, error_code& ec) {
  ec = {};
  std::string_view in(static_cast<const char*>(buffer.data()), buffer.size());
  size_t used = 0;
  while (state_ != State::kDone) {
    const std::string_view rest = in.substr(used);
    size_t n = 0;
    switch (state_) {
      case State::kHead:
        n = parse_head(rest, ec);
        break;
      case State::kBody:
      case State::kChunkData:
        n = static_cast<size_t>(std::min<uint64_t>(rest.size(), remaining_));
        if (n > 0) {
          remaining_ -= n;
          consumer_->on_response_body(rest.substr(0, n));
        }
        if (remaining_ == 0) state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
        break;
      case State::kUntilEof:
        n = rest.size();
        if (n > 0) consumer_->on_response_body(rest);
        break;
      case State::kChunkDataEnd:
        if (rest.size() < 2) {
          if (!rest.empty() && rest[0] != '\r') ec = http::error::bad_chunk;
          break;
        }
        if (rest[0] != '\r' || rest[1] != '\n') {
          ec = http::error::bad_chunk;
          break;
        }
        n = 2;
        state_ = State::kChunkSize;
        break;
      case State::kChunkSize:
        n = parse_chunk_size(rest, ec);
        break;
      case State::kTrailers:
        n = parse_trailers(rest, ec);
        break;
      case State::kDone:
        break;
    }
    used += n;
    if (ec) return used;
    if (n == 0 && state_ != State::kDone) {
      ec = http::error::need_more;  // no progress without more bytes
      return used;
    }
  }
  return used;
}

void ResponseParser::put_eof(error_code& ec) {
  ec = {};
  if (state_ == State::kUntilEof) {
    state_ = State::kDone;
  } else if (state_ != State::kDone) {
    ec = http::error::partial_message;
  }
}

size_t ResponseParser::parse_head(std::string_view in, error_code& ec) {
  size_t head_size = 0;
  if (!scan_section(in, head_size, http::error::bad_value, http::error::bad_line_ending, ec)) {
    return 0;
  }
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
  const std::string_view head = in.substr(0, head_size);
  const size_t line_end = head.find('\r');
  const std::string_view line = head.substr(0, line_end);
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') {
    ec = line.substr(0, 5) == "HTTP/" ? http::error::bad_version : http::error::bad_status;
    return 0;
  }
  if (line[7] != '0' && line[7] != '1') {
    ec = http::error::bad_version;
    return 0;
  }
  version_ = line[7] == '1' ? 11 : 10;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      ec = http::error::bad_status;
      return 0;
    }
    status = status * 10 + (line[i] - '0');
  }
  // The SP before an empty reason is often left out; nothing depends on it.
  // (scan_head already refused control characters in the reason phrase.)
  if (status < 100 || (line.size() > 12 && line[12] != ' ')) {
    ec = http::error::bad_status;
    return 0;
  }
  response_.status = status;
  // Fields: the lines between the status line and the final empty line.
  field_count_ = 0;
  if (!parse_fields(head.substr(line_end + 2, head_size - line_end - 4), false, ec)) return 0;
  response_.headers.resize(field_count_);
  if (!connection_.empty()) archway::http::remove_connection_tokens(response_.headers, connection_);
  keep_alive_ = version_ == 11 ? !close_token_ : keep_alive_token_ && !close_token_;

  // Body length, RFC 9112 §6.3, in its order.
  const bool no_body = head_request_ || status < 200 || status == 204 || status == 304;
  if (chunked_ && content_length_) {
    // Both: chunked wins, and a connection that carried such a message is
    // not trusted with another (RFC 9112 §6.3 rule 3).
    content_length_.reset();
    keep_alive_ = false;
  }
  response_.content_length = content_length_;
  if (no_body) {
    state_ = State::kDone;
  } else if (chunked_) {
    state_ = State::kChunkSize;
  } else if (content_length_) {
    remaining_ = *content_length_;
    state_ = remaining_ == 0 ? State::kDone : State::kBody;
  } else {
    state_ = State::kUntilEof;
    keep_alive_ = false;
  }
  consumer_->on_response_head();
  return head_size;
}

bool ResponseParser::parse_fields(std::string_view section, bool trailers, error_code& ec) {
  while (!section.empty()) {
    // scan_head guarantees every CR is followed by LF and ends a line.
    const size_t cr = section.find('\r');
    const std::string_view line = section.substr(0, cr);
    section.remove_prefix(cr + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !all_of(line.substr(0, colon), kTokenChar)) {
      ec = http::error::bad_field;
      return false;
    }
    // scan_head refused control characters, so the value is valid as it is.
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (!on_field(line.substr(0, colon), value, trailers, ec)) return false;
  }
  return true;
}

bool ResponseParser::on_field(std::string_view name, std::string_view value, bool trailers,
                              error_code& ec) {
  // Reuse the strings of a previous response on this connection: their
  // buffers are already big enough for the usual fields.
  archway::http::Headers& out = trailers ? trailers_ : response_.headers;
  const size_t index = trailers ? trailers_.size() : field_count_;
  if (index == out.size()) out.emplace_back();
  archway::http::Header& h = out[index];
  h.name.assign(name);
  archway::http::lowercase(h.name);
  const std::string_view lower = h.name;
  if (trailers) {
    // Framing and hop-by-hop fields have no meaning in trailers (RFC 9110 §6.5.1).
    if (lower == "content-length" || archway::http::is_hop_by_hop(lower)) {
      out.pop_back();
      return true;
    }
    h.value.assign(value);
    return true;
  }
  if (lower == "content-length") {
    uint64_t n = 0;
    if (!parse_content_length(value, n) || (content_length_ && *content_length_ != n)) {
      ec = http::error::bad_content_length;
      return false;
    }
    content_length_ = n;
    return true;
  }
  if (lower == "transfer-encoding") {
    // Only "chunked", once: another coding would reach the client without
    // the header that names it.
    if (chunked_ || !iequals(value, "chunked")) {
      ec = http::error::bad_transfer_encoding;
      return false;
    }
    chunked_ = true;
    return true;
  }
  if (lower == "connection") {
    scan_connection_tokens(value, close_token_, keep_alive_token_);
    if (!connection_.empty()) connection_ += ',';
    connection_ += value;
    return true;
  }
  if (archway::http::is_hop_by_hop(lower)) return true;
  h.value.assign(value);
  ++field_count_;
  return true;
}

size_t ResponseParser::parse_chunk_size(std::string_view in, error_code& ec) {
  // chunk-size [ chunk-ext ] CRLF, with the whole line in hand.
  const size_t lf = in.find('\n', 0);
  if (lf == std::string_view::npos) {
    if (in.size() >= kMaxChunkLine) ec = http::error::bad_chunk;
    return 0;
  }
  if (lf == 0 || in[lf - 1] != '\r' || lf + 1 > kMaxChunkLine) {
    ec = http::error::bad_chunk;
    return 0;
  }
  const std::string_view line = in.substr(0, lf - 1);
  size_t i = 0;
  uint64_t size = 0;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      break;
    }
    if (i >= 16) {  // more than 64 bits
      ec = http::error::bad_chunk;
      return 0;
    }
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): ignored,
  // but it must start with ";" and hold no CTLs (a bare CR would be one).
  std::string_view ext = line.substr(i);
  while (!ext.empty() && (ext.front() == ' ' || ext.front() == '\t')) ext.remove_prefix(1);
  if (i == 0 || (!ext.empty() && (ext.front() != ';' || !all_of(ext, kTextChar)))) {
    ec = http::error::bad_chunk;
    return 0;
  }
  if (size == 0) {
    state_ = State::kTrailers;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
  return lf + 1;
}

size_t ResponseParser::parse_trailers(std::string_view in, error_code& ec) {
  // trailer-section CRLF, with the whole section in hand.
  if (in.size() < 2) return 0;
  if (in[0] == '\r') {
    if (in[1] != '\n') {
      ec = http::error::bad_chunk;
      return 0;
    }
    state_ = State::kDone;
    return 2;
  }
  size_t size = 0;
  if (!scan_section(in, size, http::error::bad_chunk, http::error::bad_chunk, ec)) return 0;
  // scan_head treats the first line as a start line: the obs-fold check
  // skips it, so a trailer section may not start with whitespace either.
  if (in[0] == ' ' || in[0] == '\t') {
    ec = http::error::bad_chunk;
    return 0;
  }
  if (!parse_fields(in.substr(0, size - 2), true, ec)) return 0;
  state_ = State::kDone;
  return size;
}

}  // namespace archway::http1
