#include "proxy/server/hop_by_hop.h"

#include <algorithm>
#include <string>

namespace archway::server {

bool is_hop_by_hop(std::string_view name) {
  switch (name.size()) {
    case 2: return name == "te";
    case 7: return name == "upgrade" || name == "trailer";
    case 10: return name == "connection" || name == "keep-alive";
    case 16: return name == "proxy-connection";
    case 17: return name == "transfer-encoding";
    default: return false;
  }
}

void lowercase(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

void remove_connection_tokens(Headers& headers, std::string_view connection) {
  while (!connection.empty()) {
    const auto comma = connection.find(',');
    std::string_view token = connection.substr(0, comma);
    connection = comma == std::string_view::npos ? std::string_view{} : connection.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token.empty()) continue;
    std::string lower(token);
    lowercase(lower);
    // Never let a client strip the fields the proxy itself adds or relies on.
    if (lower == "host" || lower == "x-forwarded-for" || lower == "x-request-id") continue;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const Header& h) { return h.name == lower; }),
                  headers.end());
  }
}

}  // namespace archway::server
