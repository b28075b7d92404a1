#include "proxy/filters/rate_limit/client_key.h"

namespace archway::filters::rate_limit {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `visit(entry)` for every comma-separated entry of the
// X-Forwarded-For fields, in order (several fields are one list, RFC 9110
// §5.3); stops when it returns true.
template <typename Visit>
void for_each_forwarded(const http::Headers& headers, Visit visit) {
  for (const http::Header& h : headers) {
    if (h.name != "x-forwarded-for") continue;
    std::string_view rest = h.value;
    while (true) {
      const size_t comma = rest.find(',');
      if (visit(trim(rest.substr(0, comma)))) return;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
}

// The n-th entry from the right; empty when there are fewer. Two passes
// rather than a list of entries: no allocation per request.
std::string_view nth_from_right(const http::Headers& headers, uint32_t n) {
  size_t total = 0;
  for_each_forwarded(headers, [&](std::string_view) { return ++total, false; });
  if (total < n) return {};
  const size_t wanted = total - n;
  size_t index = 0;
  std::string_view found;
  for_each_forwarded(headers, [&](std::string_view entry) {
    if (index++ != wanted) return false;
    found = entry;
    return true;
  });
  return found;
}

}  // namespace

std::string_view client_address(const http::Request& request, uint32_t trusted_hops) {
  if (trusted_hops == 0) return request.client_ip;
  const std::string_view forwarded = nth_from_right(request.headers, trusted_hops);
  return forwarded.empty() ? std::string_view(request.client_ip) : forwarded;
}

std::string_view bucket_key(const config::RateLimit& limit, const http::Request& request,
                            std::string_view identity, uint32_t trusted_hops) {
  switch (limit.key) {
    case config::RateLimitKey::kClientIp:
      return client_address(request, trusted_hops);
    case config::RateLimitKey::kApiKey:
    case config::RateLimitKey::kUser:
      return identity;
    case config::RateLimitKey::kHeader:
      for (const http::Header& h : request.headers) {
        if (h.name == *limit.header) return h.value;
      }
      return {};
  }
  return {};
}

}  // namespace archway::filters::rate_limit
