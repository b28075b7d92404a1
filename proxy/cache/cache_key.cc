#include "proxy/cache/cache_key.h"

#include <algorithm>
#include <charconv>

#include "proxy/http/message.h"

namespace archway::cache {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Appends the request's value of `name` as vary_value() returns it.
void append_vary_value(std::string& out, const http::Headers& headers, std::string_view name) {
  bool any = false;
  for (const auto& h : headers) {
    if (h.name != name) continue;
    if (any) out += ", ";
    out += trim(h.value);
    any = true;
  }
  if (!any) out += kAbsent;
}

void append_normalized_authority(std::string& out, std::string_view authority) {
  // A bracketed IPv6 literal keeps its colons; only a trailing default
  // port is dropped.
  for (std::string_view port : {std::string_view(":80"), std::string_view(":443")}) {
    if (authority.size() > port.size() && authority.ends_with(port)) {
      authority.remove_suffix(port.size());
      break;
    }
  }
  for (char c : authority) out.push_back(lower(c));
}

}  // namespace

std::string normalize_authority(std::string_view authority) {
  std::string out;
  out.reserve(authority.size());
  append_normalized_authority(out, authority);
  return out;
}

std::string primary_key(std::string_view scheme, std::string_view authority, std::string_view path,
                        std::string_view query, const http::Headers& request_headers,
                        const std::vector<std::string>& vary_headers, std::string_view identity,
                        uint64_t route_fingerprint) {
  // Fields are separated by '\n', which none of them can hold (codecs
  // refuse it in a target or a field value), so no two requests that
  // differ build the same key.
  std::string key;
  key.reserve(32 + scheme.size() + authority.size() + path.size() + query.size() + identity.size() +
              32 * vary_headers.size());
  key += "G\n";
  key += scheme;
  key += '\n';
  append_normalized_authority(key, authority);
  key += '\n';
  key += path;
  key += '?';
  for (size_t i = 0; i < query.size(); ++i) {
    key.push_back(query[i]);
    if (query[i] == '%' && i + 2 < query.size() && is_hex(query[i + 1]) && is_hex(query[i + 2])) {
      key.push_back(upper(query[i + 1]));
      key.push_back(upper(query[i + 2]));
      i += 2;
    }
  }
  for (const auto& name : vary_headers) {
    key += '\n';
    key += name;
    key += ':';
    append_vary_value(key, request_headers, name);
  }
  key += '\n';
  key += identity;
  key += '\n';
  char digits[17];
  const auto end = std::to_chars(digits, digits + sizeof digits, route_fingerprint, 16).ptr;
  key.append(digits, end);
  return key;
}

std::string vary_value(const http::Headers& request_headers, std::string_view name) {
  std::string out;
  append_vary_value(out, request_headers, name);
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> vary_values(
    const http::Headers& response_headers, const http::Headers& request_headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : response_headers) {
    if (h.name != "vary") continue;
    size_t pos = 0;
    while (pos <= h.value.size()) {
      size_t end = h.value.find(',', pos);
      if (end == std::string::npos) end = h.value.size();
      const std::string_view item = trim(std::string_view(h.value).substr(pos, end - pos));
      pos = end + 1;
      if (item.empty()) continue;
      if (item == "*") return std::nullopt;
      std::string name;
      for (char c : item) name.push_back(lower(c));
      const bool seen =
          std::any_of(out.begin(), out.end(), [&](const auto& pair) { return pair.first == name; });
      if (seen) continue;
      std::string value = vary_value(request_headers, name);
      out.emplace_back(std::move(name), std::move(value));
    }
  }
  return out;
}

bool vary_matches(const Entry& entry, const http::Headers& request_headers) {
  std::string value;
  for (const auto& [name, stored] : entry.vary) {
    value.clear();
    append_vary_value(value, request_headers, name);
    if (value != stored) return false;
  }
  return true;
}

}  // namespace archway::cache
