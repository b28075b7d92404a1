#include "proxy/cache/conditional.h"

#include "proxy/cache/http_date.h"
#include "proxy/http/message.h"

namespace archway::cache {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The opaque part of an entity-tag ("W/" dropped), for weak comparison
// (RFC 9110 §8.8.3.2).
std::string_view opaque(std::string_view tag) {
  tag = trim(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

// If-None-Match (§13.1.2): "*" or a list of entity-tags. Commas may appear
// inside an entity-tag's quotes, so the list is walked tag by tag.
bool none_match_matches(std::string_view list, std::string_view etag) {
  if (trim(list) == "*") return true;
  if (etag.empty()) return false;
  const std::string_view ours = opaque(etag);
  size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && (list[pos] == ' ' || list[pos] == '\t' || list[pos] == ',')) ++pos;
    const size_t start = pos;
    if (list.substr(pos, 2) == "W/") pos += 2;
    if (pos < list.size() && list[pos] == '"') {
      const size_t close = list.find('"', pos + 1);
      if (close == std::string_view::npos) return false;
      pos = close + 1;
    } else {
      while (pos < list.size() && list[pos] != ',') ++pos;
    }
    if (pos > start && opaque(list.substr(start, pos - start)) == ours) return true;
  }
  return false;
}

}  // namespace

bool not_modified(const Entry& entry, const http::Headers& request_headers) {
  if (entry.status < 200 || entry.status > 299) return false;
  bool any_none_match = false;
  for (const auto& h : request_headers) {
    if (h.name != "if-none-match") continue;
    any_none_match = true;
    if (none_match_matches(h.value, entry.etag)) return true;
  }
  if (any_none_match) return false;

  const http::Header* since = http::find_header(request_headers, "if-modified-since");
  if (since == nullptr) return false;
  const auto client_date = parse_http_date(since->value);
  if (!client_date) return false;
  std::chrono::sys_seconds modified =
      std::chrono::floor<std::chrono::seconds>(entry.response_time) - entry.date_value_offset;
  if (!entry.last_modified.empty()) {
    const auto last_modified = parse_http_date(entry.last_modified);
    if (!last_modified) return false;
    modified = *last_modified;
  }
  return modified <= *client_date;
}

}  // namespace archway::cache
