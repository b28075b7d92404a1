#include "proxy/filters/cors/cors_policy.h"

#include <algorithm>
#include <cctype>

#include "proxy/http/field_text.h"

namespace archway::filters::cors {
namespace {

using http::iequals;
using http::trim_ows;

// Calls `each` with every non-empty, trimmed element of a comma list until
// it returns false; returns whether it never did.
template <typename F>
bool for_each_token(std::string_view list, F each) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view token = trim_ows(list.substr(0, comma));
    if (!token.empty() && !each(token)) return false;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return true;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// The labels a "*." pattern stands for: one or more, each a DNS label.
bool valid_labels(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.back() == '.') return false;
  char previous = '.';
  for (const char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok || (c == '.' && previous == '.')) return false;
    previous = c;
  }
  return true;
}

bool contains(const std::vector<std::string>& items, std::string_view item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

CorsPolicy::CorsPolicy(const config::Cors& config)
    : methods_(config.allow_methods),
      headers_(config.allow_headers),
      credentials_(config.allow_credentials),
      expose_headers_(join(config.expose_headers)) {
  for (const std::string& origin : config.allow_origins) {
    if (origin == "*") {
      any_origin_ = true;
      continue;
    }
    const size_t scheme_end = origin.find("://");
    const size_t host = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    if (origin.compare(host, 2, "*.") == 0) {
      // "https://*.example.com:8443" → "https://" + ".example.com:8443"
      wildcard_origins_.push_back({origin.substr(0, host), origin.substr(host + 1)});
    } else {
      exact_origins_.push_back(origin);
    }
  }
  if (methods_.size() == 1 && methods_[0] == "*") {
    any_method_ = true;
    methods_.clear();
  }
  methods_joined_ = join(methods_);
  if (headers_.size() == 1 && headers_[0] == "*") {
    any_header_ = true;
    headers_.clear();
  }
  if (config.max_age) {
    max_age_ =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(*config.max_age).count());
  }
}

bool CorsPolicy::origin_allowed(std::string_view origin) const {
  if (origin.empty() || origin == "null") return false;
  if (any_origin_) return true;
  for (const std::string& exact : exact_origins_) {
    if (iequals(origin, exact)) return true;
  }
  for (const WildcardOrigin& pattern : wildcard_origins_) {
    const size_t fixed = pattern.scheme.size() + pattern.suffix.size();
    if (origin.size() <= fixed) continue;  // "*" stands for at least one label
    if (!iequals(origin.substr(0, pattern.scheme.size()), pattern.scheme)) continue;
    if (!iequals(origin.substr(origin.size() - pattern.suffix.size()), pattern.suffix)) continue;
    const std::string_view labels = origin.substr(pattern.scheme.size(), origin.size() - fixed);
    if (valid_labels(labels)) return true;
  }
  return false;
}

bool CorsPolicy::method_allowed(std::string_view method) const {
  if (any_method_ || contains(methods_, method)) return true;
  // Fetch: the CORS-safelisted methods need no Access-Control-Allow-Methods.
  return method == "GET" || method == "HEAD" || method == "POST";
}

bool CorsPolicy::headers_allowed(std::string_view requested) const {
  return for_each_token(requested, [this](std::string_view name) {
    const auto listed = [&](const std::string& allowed) { return iequals(allowed, name); };
    if (std::any_of(headers_.begin(), headers_.end(), listed)) return true;
    return any_header_ && !iequals(name, "authorization");
  });
}

std::string_view CorsPolicy::allow_methods_value(std::string_view method) const {
  if (any_method_) return credentials_ ? method : std::string_view("*");
  return methods_joined_;
}

std::string_view CorsPolicy::allow_headers_value(std::string_view requested) const {
  requested = trim_ows(requested);
  if (requested.empty()) return {};
  // Without credentials "*" is the wildcard; with them a browser reads it
  // as a header named "*", so the request's own list is echoed.
  if (any_header_ && !credentials_) return "*";
  return requested;
}

void merge_vary_origin(http::Headers& headers) {
  http::Header* first = nullptr;
  for (http::Header& h : headers) {
    if (h.name != "vary") continue;
    if (first == nullptr) first = &h;
    const bool named = !for_each_token(h.value, [](std::string_view token) {
      return !(token == "*" || iequals(token, "origin"));
    });
    if (named) return;
  }
  if (first == nullptr) {
    headers.add("vary", "Origin");
  } else if (trim_ows(first->value).empty()) {
    first->value = "Origin";
  } else {
    first->value += ", Origin";
  }
}

}  // namespace archway::filters::cors
