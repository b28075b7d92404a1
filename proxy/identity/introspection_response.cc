#include "proxy/identity/introspection_response.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "proxy/identity/claim_header_value.h"
#include "proxy/identity/strict_json.h"

namespace archway::identity {
namespace {

using nlohmann::json;

// exp, iat, nbf: NumericDate (RFC 7519 §2), seconds, fractions dropped.
// Out-of-range values (beyond ±2^53 s) are as wrong as a string.
bool read_time(const json& object, const char* name, std::optional<std::chrono::sys_seconds>& out) {
  const auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_number()) return false;
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9007199254740992.0) return false;
  out = std::chrono::sys_seconds(std::chrono::seconds(static_cast<int64_t>(std::floor(seconds))));
  return true;
}

bool read_string(const json& object, const char* name, std::optional<std::string>& out) {
  const auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool read_scopes(const json& object, std::vector<std::string>& out) {
  const auto it = object.find("scope");
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  const std::string& text = it->get_ref<const std::string&>();
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return true;
}

bool read_audiences(const json& object, std::vector<std::string>& out) {
  const auto it = object.find("aud");
  if (it == object.end()) return true;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return true;
  }
  if (!it->is_array()) return false;
  for (const json& audience : *it) {
    if (!audience.is_string()) return false;
    out.push_back(audience.get<std::string>());
  }
  return true;
}

}  // namespace

bool TokenIntrospection::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::optional<std::string> TokenIntrospection::claim_as_header_value(std::string_view name) const {
  return claim_header_value(claims, name);
}

IntrospectionResult parse_introspection_response(int status, std::string_view body) {
  if (status != 200) return IntrospectionFailure::kEndpointError;
  std::optional<json> parsed = parse_strict_json_object(body);
  if (!parsed) return IntrospectionFailure::kEndpointError;
  const auto active = parsed->find("active");
  if (active == parsed->end() || !active->is_boolean()) return IntrospectionFailure::kEndpointError;
  if (!active->get<bool>()) return IntrospectionFailure::kInactive;

  TokenIntrospection token;
  const bool well_typed =
      read_scopes(*parsed, token.scopes) && read_audiences(*parsed, token.audiences) &&
      read_time(*parsed, "exp", token.expires_at) && read_time(*parsed, "iat", token.issued_at) &&
      read_time(*parsed, "nbf", token.not_before) && read_string(*parsed, "sub", token.subject) &&
      read_string(*parsed, "username", token.username) &&
      read_string(*parsed, "client_id", token.client_id) &&
      read_string(*parsed, "iss", token.issuer);
  if (!well_typed) return IntrospectionFailure::kEndpointError;
  token.claims = std::move(*parsed);
  return token;
}

}  // namespace archway::identity
