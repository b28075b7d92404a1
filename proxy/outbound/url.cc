#include "proxy/outbound/url.h"

#include <uriparser/Uri.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace archway::outbound {

namespace {

std::string_view range(const UriTextRangeA& r) {
  if (r.first == nullptr || r.afterLast == nullptr) return {};
  return {r.first, static_cast<size_t>(r.afterLast - r.first)};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error bad(std::string message) { return invalid("url", std::move(message)); }

// Frees the parser's allocations on every return path.
struct ParsedUri {
  UriUriA uri{};
  ~ParsedUri() { uriFreeUriMembersA(&uri); }
};

}  // namespace

Result<Url> parse_url(std::string_view text) {
  ParsedUri parsed;
  const char* error_pos = nullptr;
  if (uriParseSingleUriExA(&parsed.uri, text.data(), text.data() + text.size(), &error_pos) !=
      URI_SUCCESS) {
    return bad("not a URL (RFC 3986)");
  }
  const UriUriA& uri = parsed.uri;
  Url url;
  const std::string scheme = lower(range(uri.scheme));
  if (scheme != "http" && scheme != "https") return bad("scheme must be http or https");
  url.https = scheme == "https";
  if (range(uri.hostText).empty()) return bad("no host");
  if (uri.userInfo.first != nullptr) return bad("credentials in the URL are not accepted");
  url.host = lower(range(uri.hostText));
  url.ip_literal = uri.hostData.ip4 != nullptr || uri.hostData.ip6 != nullptr;
  if (uri.hostData.ipFuture.first != nullptr) return bad("unsupported IP literal");
  url.port = url.https ? 443 : 80;
  const std::string_view port = range(uri.portText);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("port out of range");
    }
    url.port = static_cast<uint16_t>(value);
  }
  // The authority as written ends after the port, or the host (and its
  // closing bracket); the target runs from there to the fragment.
  const char* authority_end =
      uri.portText.first != nullptr ? uri.portText.afterLast : uri.hostText.afterLast;
  if (uri.portText.first == nullptr && uri.hostData.ip6 != nullptr) ++authority_end;  // ']'
  const char* authority_begin = uri.hostText.first;
  if (uri.hostData.ip6 != nullptr) --authority_begin;  // '['
  url.authority = lower(std::string_view(authority_begin, authority_end - authority_begin));
  const char* target_end =
      uri.fragment.first != nullptr ? uri.fragment.first - 1 : text.data() + text.size();
  url.target.assign(authority_end, target_end);
  if (url.target.empty() || url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

}  // namespace archway::outbound
