#include "proxy/cache/policy.h"

#include <algorithm>
#include <optional>

#include "proxy/cache/cache_control.h"
#include "proxy/cache/http_date.h"

namespace archway::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Final statuses cacheable by default (RFC 9110 §15.1) that we store; 206
// is left out (no partial content).
bool storable_status(int status) {
  switch (status) {
    case 200:
    case 203:
    case 204:
    case 300:
    case 301:
    case 308:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501:
      return true;
    default:
      return false;
  }
}

bool names(const std::vector<std::string>& fields, std::string_view name) {
  return std::find(fields.begin(), fields.end(), name) != fields.end();
}

bool vary_star(const http::Headers& headers) {
  for (const auto& h : headers) {
    if (h.name != "vary") continue;
    size_t pos = 0;
    while (pos <= h.value.size()) {
      size_t end = h.value.find(',', pos);
      if (end == std::string::npos) end = h.value.size();
      std::string_view item = std::string_view(h.value).substr(pos, end - pos);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item == "*") return true;
      pos = end + 1;
    }
  }
  return false;
}

// The Age field (§5.1): the first one; not a delta-seconds → ignored.
seconds age_field(const http::Headers& headers) {
  const http::Header* age = http::find_header(headers, "age");
  if (age == nullptr || age->value.empty()) return seconds{0};
  int64_t n = 0;
  for (char c : age->value) {
    if (c < '0' || c > '9') return seconds{0};
    if (n < (int64_t{1} << 31)) n = n * 10 + (c - '0');
  }
  return seconds{std::min(n, int64_t{1} << 31)};
}

// The response's own freshness lifetime (§4.2.1), nullopt when it states
// none. An Expires that does not parse means already expired (§5.3).
std::optional<milliseconds> response_lifetime(const ResponseDirectives& cc,
                                              const http::Headers& headers,
                                              std::chrono::sys_seconds now) {
  if (cc.s_maxage) return *cc.s_maxage;
  if (cc.max_age) return *cc.max_age;
  const http::Header* expires = http::find_header(headers, "expires");
  if (expires == nullptr) return std::nullopt;
  const auto expires_at = parse_http_date(expires->value);
  if (!expires_at) return milliseconds{0};
  std::chrono::sys_seconds date = now;
  if (const http::Header* d = http::find_header(headers, "date")) {
    if (auto parsed = parse_http_date(d->value)) date = *parsed;
  }
  return std::max(milliseconds{0}, milliseconds{*expires_at - date});
}

// The age the response arrives with (§4.2.3 with no response delay): what
// the backend (or a cache behind it) says, or what its Date implies.
seconds arrival_age(const http::Headers& headers, std::chrono::sys_seconds now) {
  seconds apparent{0};
  if (const http::Header* d = http::find_header(headers, "date")) {
    if (auto date = parse_http_date(d->value)) apparent = std::max(seconds{0}, now - *date);
  }
  return std::max(apparent, age_field(headers));
}

}  // namespace

Bypass check_request(const http::Request& request, const config::Cache& policy) {
  if (request.method != "GET" && request.method != "HEAD") return Bypass::kMethod;
  if (!policy.cache_authorized_requests &&
      http::find_header(request.headers, "authorization") != nullptr) {
    return Bypass::kAuthorization;
  }
  if (http::find_header(request.headers, "range") != nullptr) return Bypass::kRange;
  if (parse_request_directives(request.headers).no_store) return Bypass::kNoStore;
  return Bypass::kNone;
}

Storability check_response(const http::Response& response, const config::Cache& policy,
                           std::chrono::sys_seconds now) {
  Storability out;
  const auto& headers = response.headers;
  if (!storable_status(response.status)) {
    out.verdict = NotStored::kStatus;
    return out;
  }
  const ResponseDirectives cc = parse_response_directives(headers);
  if (cc.no_store) {
    out.verdict = NotStored::kNoStore;
  } else if (cc.private_) {
    out.verdict = NotStored::kPrivate;
  } else if (cc.no_cache) {
    out.verdict = NotStored::kNoCache;
  } else if (!policy.cache_set_cookie && http::find_header(headers, "set-cookie") != nullptr &&
             !names(cc.no_cache_fields, "set-cookie") && !names(cc.private_fields, "set-cookie")) {
    out.verdict = NotStored::kSetCookie;
  } else if (vary_star(headers)) {
    out.verdict = NotStored::kVaryStar;
  } else if (response.content_length && *response.content_length > policy.max_body_bytes) {
    out.verdict = NotStored::kTooLarge;
  }
  if (out.verdict != NotStored::kStored) return out;

  const seconds arrived_with = arrival_age(headers, now);
  const milliseconds capped = policy.ttl + arrived_with;
  const auto own = response_lifetime(cc, headers, now);
  out.lifetime = own ? std::min(*own, capped) : capped;
  if (out.lifetime <= milliseconds{arrived_with}) {
    out.verdict = NotStored::kNoFreshness;
    return out;
  }
  out.no_stale = cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage.has_value();
  if (!out.no_stale) {
    out.stale_while_revalidate = cc.stale_while_revalidate.value_or(
        std::chrono::duration_cast<seconds>(policy.stale_while_revalidate));
    out.stale_if_error =
        cc.stale_if_error.value_or(std::chrono::duration_cast<seconds>(policy.stale_if_error));
  }
  return out;
}

const char* to_string(Bypass bypass) {
  switch (bypass) {
    case Bypass::kNone:
      return "none";
    case Bypass::kMethod:
      return "method";
    case Bypass::kAuthorization:
      return "authorization";
    case Bypass::kRange:
      return "range";
    case Bypass::kNoStore:
      return "no-store";
  }
  return "unknown";
}

const char* to_string(NotStored verdict) {
  switch (verdict) {
    case NotStored::kStored:
      return "stored";
    case NotStored::kStatus:
      return "status";
    case NotStored::kNoStore:
      return "no-store";
    case NotStored::kPrivate:
      return "private";
    case NotStored::kNoCache:
      return "no-cache";
    case NotStored::kSetCookie:
      return "set-cookie";
    case NotStored::kVaryStar:
      return "vary-star";
    case NotStored::kTooLarge:
      return "too-large";
    case NotStored::kNoFreshness:
      return "no-freshness";
    case NotStored::kTrailers:
      return "trailers";
  }
  return "unknown";
}

}  // namespace archway::cache
