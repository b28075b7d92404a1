#pragma once
// Hop-by-hop fields (RFC 9110 §7.6.1): never forwarded by a proxy. Besides
// the fixed list, every field named in a Connection header is hop-by-hop.

#include <string_view>

#include "proxy/http/message.h"

namespace archway::http {

// `name` must be lowercase.
[[nodiscard]] bool is_hop_by_hop(std::string_view name);

// Removes the fields named by the comma-separated `connection` value.
void remove_connection_tokens(Headers& headers, std::string_view connection);

// Lowercases ASCII in place.
void lowercase(std::string& s);

}  // namespace archway::http
