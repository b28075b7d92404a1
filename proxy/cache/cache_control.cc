#include "proxy/cache/cache_control.h"

#include <cstdint>
#include <string_view>

#include "proxy/http/field_text.h"
#include "proxy/http/message.h"

namespace archway::cache {
namespace {

using http::iequals;
using std::chrono::seconds;

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// One directive: its name and its argument, unquoted ("" when none).
struct Directive {
  std::string_view name;
  std::string argument;
  bool has_argument = false;
};

// Walks one field value's list, calling `visit` for each directive. Commas
// inside a quoted string do not separate directives.
template <typename Visit>
void for_each_directive(std::string_view value, Visit&& visit) {
  size_t pos = 0;
  while (pos < value.size()) {
    size_t end = pos;
    while (end < value.size() && value[end] != ',' && value[end] != '=') ++end;
    Directive d;
    d.name = trim(value.substr(pos, end - pos));
    pos = end;
    if (pos < value.size() && value[pos] == '=') {
      d.has_argument = true;
      ++pos;
      while (pos < value.size() && is_space(value[pos])) ++pos;
      if (pos < value.size() && value[pos] == '"') {
        ++pos;
        while (pos < value.size() && value[pos] != '"') {
          if (value[pos] == '\\' && pos + 1 < value.size()) ++pos;  // quoted-pair
          d.argument.push_back(value[pos++]);
        }
        if (pos < value.size()) ++pos;  // closing quote
        while (pos < value.size() && value[pos] != ',') ++pos;
      } else {
        size_t arg_end = pos;
        while (arg_end < value.size() && value[arg_end] != ',') ++arg_end;
        d.argument = std::string(trim(value.substr(pos, arg_end - pos)));
        pos = arg_end;
      }
    }
    if (pos < value.size()) ++pos;  // the comma
    if (!d.name.empty()) visit(d);
  }
}

// delta-seconds (§1.2.2): digits only; past 2^31 it is 2^31.
std::optional<seconds> delta_seconds(const Directive& d) {
  if (!d.has_argument || d.argument.empty()) return std::nullopt;
  constexpr int64_t kMax = int64_t{1} << 31;
  int64_t n = 0;
  for (char c : d.argument) {
    if (c < '0' || c > '9') return std::nullopt;
    if (n < kMax) n = n * 10 + (c - '0');
  }
  return seconds{n < kMax ? n : kMax};
}

// The first occurrence counts (§4.2.1).
void set_once(std::optional<seconds>& field, bool& seen, std::optional<seconds> value) {
  if (seen) return;
  seen = true;
  field = value;
}

// The field names of a qualified no-cache / private, lower-cased.
void add_field_names(std::string_view list, std::vector<std::string>& out) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view name = trim(list.substr(pos, end - pos));
    if (!name.empty()) {
      std::string lowered;
      for (char c : name) lowered.push_back(lower(c));
      out.push_back(std::move(lowered));
    }
    pos = end + 1;
  }
}

}  // namespace

ResponseDirectives parse_response_directives(const http::Headers& headers) {
  ResponseDirectives out;
  bool max_age_seen = false, s_maxage_seen = false, swr_seen = false, sie_seen = false;
  for (const auto& h : headers) {
    if (h.name != "cache-control") continue;
    for_each_directive(h.value, [&](const Directive& d) {
      if (iequals(d.name, "no-store")) {
        out.no_store = true;
      } else if (iequals(d.name, "no-cache")) {
        if (d.has_argument) {
          add_field_names(d.argument, out.no_cache_fields);
        } else {
          out.no_cache = true;
        }
      } else if (iequals(d.name, "private")) {
        if (d.has_argument) {
          add_field_names(d.argument, out.private_fields);
        } else {
          out.private_ = true;
        }
      } else if (iequals(d.name, "public")) {
        out.public_ = true;
      } else if (iequals(d.name, "must-revalidate")) {
        out.must_revalidate = true;
      } else if (iequals(d.name, "proxy-revalidate")) {
        out.proxy_revalidate = true;
      } else if (iequals(d.name, "immutable")) {
        out.immutable = true;
      } else if (iequals(d.name, "max-age")) {
        set_once(out.max_age, max_age_seen, delta_seconds(d).value_or(seconds{0}));
      } else if (iequals(d.name, "s-maxage")) {
        set_once(out.s_maxage, s_maxage_seen, delta_seconds(d));
      } else if (iequals(d.name, "stale-while-revalidate")) {
        set_once(out.stale_while_revalidate, swr_seen, delta_seconds(d));
      } else if (iequals(d.name, "stale-if-error")) {
        set_once(out.stale_if_error, sie_seen, delta_seconds(d));
      }
    });
  }
  return out;
}

RequestDirectives parse_request_directives(const http::Headers& headers) {
  RequestDirectives out;
  bool any_cache_control = false;
  bool max_age_seen = false, min_fresh_seen = false, max_stale_seen = false;
  for (const auto& h : headers) {
    if (h.name != "cache-control") continue;
    any_cache_control = true;
    for_each_directive(h.value, [&](const Directive& d) {
      if (iequals(d.name, "no-store")) {
        out.no_store = true;
      } else if (iequals(d.name, "no-cache")) {
        out.no_cache = true;
      } else if (iequals(d.name, "only-if-cached")) {
        out.only_if_cached = true;
      } else if (iequals(d.name, "max-age")) {
        set_once(out.max_age, max_age_seen, delta_seconds(d).value_or(seconds{0}));
      } else if (iequals(d.name, "min-fresh")) {
        set_once(out.min_fresh, min_fresh_seen, delta_seconds(d));
      } else if (iequals(d.name, "max-stale")) {
        if (max_stale_seen) return;
        max_stale_seen = true;
        if (!d.has_argument) {
          out.max_stale_any = true;
        } else {
          out.max_stale = delta_seconds(d);
        }
      }
    });
  }
  // Pragma: no-cache counts only where Cache-Control is absent (§5.4).
  if (!any_cache_control) {
    for (const auto& h : headers) {
      if (h.name != "pragma") continue;
      for_each_directive(h.value, [&](const Directive& d) {
        if (iequals(d.name, "no-cache")) out.no_cache = true;
      });
    }
  }
  return out;
}

}  // namespace archway::cache
