#include "proxy/filters/auth/bearer.h"

#include <algorithm>
#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "proxy/http/error_body.h"
#include "proxy/http/field_text.h"

namespace archway::filters::auth {
namespace {

bool is_token68_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

// How many leading characters of `s` are token68 characters (without '=').
// Every request of a JWT route scans its whole token (hundreds of bytes)
// even when the verdict is cached: sixteen bytes at a time where SSE2
// exists (every x86-64), a few instructions each instead of ten per byte.
size_t token68_prefix(std::string_view s) {
  size_t i = 0;
#if defined(__SSE2__)
  // c in [lo, lo + span] exactly when min(c - lo, span) == c - lo, unsigned.
  const auto in_range = [](__m128i v, char lo, char span) {
    const __m128i shifted = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(span)), shifted);
  };
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Letters either case; '-' '.' '/' and the digits are 0x2d..0x39.
    __m128i ok = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z' - 'a');
    ok = _mm_or_si128(ok, in_range(v, '-', '9' - '-'));
    ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('~')));
    ok = _mm_or_si128(ok, _mm_cmpeq_epi8(v, _mm_set1_epi8('+')));
    const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xffffu;
    if (bad != 0) return i + static_cast<size_t>(std::countr_zero(bad));
  }
#endif
  while (i < s.size() && is_token68_char(s[i])) ++i;
  return i;
}

// Calls visit(name, value, whole) for each `name=value` of a list split by
// `separator` (a Cookie field's pairs, a query's parameters); an element
// without '=' has an empty value. Stops when visit returns false.
template <typename Visit>
void for_each_pair(std::string_view list, char separator, Visit visit) {
  while (!list.empty()) {
    const size_t end = list.find(separator);
    const std::string_view element = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
    const std::string_view pair = separator == ';' ? http::trim_ows(element) : element;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!visit(separator == ';' ? http::trim_ows(name) : name, value, pair)) return;
  }
}

std::string_view query_of(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
}

bool passes(std::string_view value, TokenCheck check) {
  return check == TokenCheck::kOnMiss ? !value.empty() : is_token68(value);
}

// One value found `count` times: the token, or why there is none.
BearerCredentials judge(std::string_view value, int count, TokenCheck check) {
  if (count == 0) return {};
  if (count > 1 || !passes(value, check)) return {BearerCredentials::Kind::kMalformed, {}};
  return {BearerCredentials::Kind::kToken, value};
}

bool has_element(std::string_view list, char separator, std::string_view name) {
  bool found = false;
  for_each_pair(list, separator, [&](std::string_view n, std::string_view, std::string_view) {
    found = n == name;
    return !found;
  });
  return found;
}

// `list` without its elements named `name`, the others joined by `joiner`.
std::string without(std::string_view list, char separator, std::string_view joiner,
                    std::string_view name) {
  std::string out;
  for_each_pair(list, separator, [&](std::string_view n, std::string_view, std::string_view pair) {
    if (n == name || pair.empty()) return true;
    if (!out.empty()) out += joiner;
    out += pair;
    return true;
  });
  return out;
}

LocalReply reply(int status, std::string challenge, std::string_view error) {
  LocalReply out;
  out.status = status;
  if (!challenge.empty()) out.headers.push_back({"www-authenticate", std::move(challenge)});
  out.headers.push_back({"content-type", "application/json"});
  out.body = http::error_body(error, status);
  return out;
}

}  // namespace

bool is_token68(std::string_view s) {
  size_t i = token68_prefix(s);
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

BearerCredentials find_bearer(const http::Headers& headers, TokenCheck check) {
  const http::Header* found = nullptr;
  for (const http::Header& h : headers) {
    if (h.name != "authorization") continue;
    if (found != nullptr) return {BearerCredentials::Kind::kMalformed, {}};
    found = &h;
  }
  if (found == nullptr) return {};
  std::string_view value = found->value;
  const size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  if (!http::iequals(scheme, "bearer")) return {};  // another scheme: no bearer credentials
  if (space == std::string_view::npos) return {BearerCredentials::Kind::kMalformed, {}};
  std::string_view token = value.substr(space);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!passes(token, check)) return {BearerCredentials::Kind::kMalformed, {}};
  return {BearerCredentials::Kind::kToken, token};
}

BearerCredentials find_token(const config::TokenSource& source, const http::Request& request,
                             TokenCheck check) {
  using Kind = config::TokenSource::Kind;
  std::string_view value;
  int count = 0;
  const auto take = [&](std::string_view n, std::string_view v, std::string_view) {
    if (n == source.name) {
      value = v;
      ++count;
    }
    return count < 2;
  };
  switch (source.kind) {
    case Kind::kAuthorization:
      return find_bearer(request.headers, check);
    case Kind::kHeader:
      for (const http::Header& h : request.headers) {
        if (h.name != source.name) continue;
        value = h.value;
        ++count;
      }
      break;
    case Kind::kCookie:
      for (const http::Header& h : request.headers) {
        if (h.name == "cookie") for_each_pair(h.value, ';', take);
      }
      // RFC 6265 §4.1.1: a cookie-value may be enclosed in double quotes.
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      break;
    case Kind::kQueryParameter:
      for_each_pair(query_of(request.target), '&', take);
      break;
  }
  return judge(value, count, check);
}

void remove_token(const config::TokenSource& source, http::Request& request) {
  using Kind = config::TokenSource::Kind;
  switch (source.kind) {
    case Kind::kAuthorization:
      return;
    case Kind::kHeader:
      http::erase_if(request.headers, [&](const http::Header& h) { return h.name == source.name; });
      return;
    case Kind::kCookie:
      for (http::Header& h : request.headers) {
        if (h.name == "cookie" && has_element(h.value, ';', source.name)) {
          h.value = without(h.value, ';', "; ", source.name);
        }
      }
      http::erase_if(request.headers,
                     [](const http::Header& h) { return h.name == "cookie" && h.value.empty(); });
      return;
    case Kind::kQueryParameter: {
      const size_t q = request.target.find('?');
      if (q == std::string::npos ||
          !has_element(std::string_view(request.target).substr(q + 1), '&', source.name)) {
        return;
      }
      std::string rest =
          without(std::string_view(request.target).substr(q + 1), '&', "&", source.name);
      request.target.resize(rest.empty() ? q : q + 1);
      request.target += rest;
      return;
    }
  }
}

void strip_fields(http::Headers& headers, const std::vector<std::string>& names) {
  if (names.empty()) return;
  http::erase_if(headers, [&](const http::Header& h) {
    return std::find(names.begin(), names.end(), h.name) != names.end();
  });
}

LocalReply missing_token_reply() { return reply(401, "Bearer", "unauthorized"); }

LocalReply invalid_token_reply() {
  return reply(401, "Bearer error=\"invalid_token\"", "invalid_token");
}

std::string scope_text(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

LocalReply insufficient_scope_reply(std::string_view scope) {
  // Scopes are visible ASCII without '"' or '\' (config/policies/auth.cc),
  // so they go into the quoted string as they are.
  return reply(403, "Bearer error=\"insufficient_scope\", scope=\"" + std::string(scope) + "\"",
               "insufficient_scope");
}

LocalReply keys_unavailable_reply() { return reply(503, "", "authentication unavailable"); }

}  // namespace archway::filters::auth
