#pragma once
// The URLs the outbound client accepts (http_client.h): absolute http:// or
// https:// with a host, parsed by uriparser (RFC 3986), never by hand.
// Credentials in the URL (user:pass@) are refused: they would end up in
// logs; a policy sends them in a header instead.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace archway::outbound {

struct Url {
  bool https = false;
  std::string host;         // without brackets for IPv6; lowercased
  bool ip_literal = false;  // host is an IPv4 or IPv6 address: no resolver
  uint16_t port = 0;        // the scheme's default when the URL has none
  std::string authority;    // what Host / :authority carry: host[:port], as written
  std::string target;       // origin-form: path [? query], "/" at least; no fragment
};

// kInvalidArgument (field "url") for anything but the above.
[[nodiscard]] Result<Url> parse_url(std::string_view text);

}  // namespace archway::outbound
