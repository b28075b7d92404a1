#include "proxy/config/field_checks.h"

#include <re2/re2.h>

#include "common/text_scan.h"
#include "proxy/routing/path_normalize.h"

namespace archway::config {
namespace {

bool is_label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// RFC 3986 pchar without pct-encoded's '%' (handled by normalize_path) and '/'.
bool is_path_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
    case '/':
    case '%':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

Problem check_header_name(std::string_view name) {
  if (!is_token(name)) return "invalid header name \"" + std::string(name) + "\"";
  return std::nullopt;
}

Problem check_header_value(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return "must not contain CR, LF or NUL";
  }
  return std::nullopt;
}

Problem check_method(std::string_view method) {
  if (!is_token(method)) return "invalid method \"" + std::string(method) + "\"";
  return std::nullopt;
}

Problem check_hostname(std::string_view host) {
  const std::string bad = "invalid host name \"" + std::string(host) + "\"";
  if (host.empty() || host.size() > 253) return bad;
  size_t start = 0;
  while (start <= host.size()) {
    size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view label = host.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return bad;
    }
    for (char c : label) {
      if (!is_label_char(c)) return bad;
    }
    start = end + 1;
  }
  return std::nullopt;
}

Problem check_domain(std::string_view domain) {
  if (domain == "*") return std::nullopt;
  if (domain.starts_with("*.")) {
    if (check_hostname(domain.substr(2))) {
      return "invalid domain \"" + std::string(domain) + "\"";
    }
    return std::nullopt;
  }
  if (check_hostname(domain)) return "invalid domain \"" + std::string(domain) + "\"";
  return std::nullopt;
}

Problem check_path(std::string_view path, bool allow_braces) {
  if (path.empty() || path.front() != '/') return "must start with '/'";
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (!is_path_char(c) && !(allow_braces && (c == '{' || c == '}'))) {
      return "invalid character at offset " + std::to_string(i);
    }
  }
  auto normal = routing::normalize_path(path);
  if (!normal.ok()) return normal.error().message;
  if (*normal != path) return "must be normalised (\"" + *normal + "\")";
  return std::nullopt;
}

Problem check_regex(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re.ok()) return re.error();
  return std::nullopt;
}

int regex_group_count(std::string_view pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  const RE2 re(re2::StringPiece(pattern.data(), pattern.size()), options);
  return re.ok() ? re.NumberOfCapturingGroups() : -1;
}

}  // namespace archway::config
