// cors: the APIRoute field's schema (crds/generate.py "cors"), with its CEL
// rule (no credentials with the "*" origin) and what cors.h promises:
// origins and header names lower-cased here, "*" only as a single entry.

#include <algorithm>

#include "proxy/config/field_checks.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr std::string_view kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",   "DELETE",
                                         "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"};

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

// The CRD's pattern ^(\*|https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)$, on
// the lower-cased origin, plus a port in range.
Problem check_origin(std::string_view origin) {
  if (origin == "*") return std::nullopt;
  if (origin.size() > 253) return "must be at most 253 bytes";
  const size_t scheme_end = origin.find("://");
  const std::string_view scheme = origin.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return "must be \"*\" or scheme://host[:port] with scheme http or https";
  }
  std::string_view host = origin.substr(scheme_end + 3);
  if (host.substr(0, 2) == "*.") host.remove_prefix(2);
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
      return "port must be between 1 and 65535";
    }
  }
  if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
    return "host must be letters, digits, '.' and '-' (optionally after \"*.\"), in lower case";
  }
  return std::nullopt;
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, Cors& out) {
  ObjectReader r(d, json, path,
                 {"allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders",
                  "allowCredentials", "maxAge"});
  if (r.ok() && r.child("allowOrigins") == nullptr) d.fail(r.field("allowOrigins"), "is required");
  get_lower_strings(r, "allowOrigins", out.allow_origins);
  r.get_strings("allowMethods", out.allow_methods);
  get_lower_strings(r, "allowHeaders", out.allow_headers);
  get_lower_strings(r, "exposeHeaders", out.expose_headers);
  r.get("allowCredentials", out.allow_credentials);
  r.get_duration("maxAge", out.max_age);
}

Result<void> validate(const Cors& cors, const std::string& path) {
  const std::string origins = path + ".allowOrigins";
  if (auto r = check_count(cors.allow_origins.size(), origins, 1, 64); !r.ok()) return r;
  for (size_t i = 0; i < cors.allow_origins.size(); ++i) {
    const std::string& origin = cors.allow_origins[i];
    if (auto problem = check_origin(origin)) return invalid(index_field(origins, i), *problem);
  }
  if (auto r = check_distinct(cors.allow_origins, origins); !r.ok()) return r;
  if (auto r = check_star_alone(cors.allow_origins, origins); !r.ok()) return r;

  const std::string methods = path + ".allowMethods";
  if (auto r = check_count(cors.allow_methods.size(), methods, 0, 10); !r.ok()) return r;
  for (size_t i = 0; i < cors.allow_methods.size(); ++i) {
    if (std::find(std::begin(kMethods), std::end(kMethods), cors.allow_methods[i]) ==
        std::end(kMethods)) {
      return invalid(index_field(methods, i),
                     "must be one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, "
                     "PATCH, *");
    }
  }
  if (auto r = check_distinct(cors.allow_methods, methods); !r.ok()) return r;
  if (auto r = check_star_alone(cors.allow_methods, methods); !r.ok()) return r;

  const std::string headers = path + ".allowHeaders";
  if (auto r = check_header_names(cors.allow_headers, headers, 64); !r.ok()) return r;
  if (auto r = check_star_alone(cors.allow_headers, headers); !r.ok()) return r;
  if (auto r = check_header_names(cors.expose_headers, path + ".exposeHeaders", 64); !r.ok()) {
    return r;
  }
  if (cors.allow_credentials && cors.allow_origins == std::vector<std::string>{"*"}) {
    return invalid(path + ".allowCredentials",
                   "allowCredentials cannot be used with the '*' origin");
  }
  if (cors.max_age && cors.max_age->count() < 0) {
    return invalid(path + ".maxAge", "must not be negative");
  }
  return {};
}

Json to_json(const Cors& cors) {
  Json out = {{"allowOrigins", cors.allow_origins},
              {"allowMethods", cors.allow_methods},
              {"allowHeaders", cors.allow_headers},
              {"exposeHeaders", cors.expose_headers},
              {"allowCredentials", cors.allow_credentials}};
  if (cors.max_age) out["maxAge"] = format_duration(*cors.max_age);
  return out;
}

}  // namespace archway::config
