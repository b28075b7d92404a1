#include "proxy/identity/compact_jws.h"

#include <algorithm>
#include <cctype>

#include "common/base64.h"
#include "proxy/identity/strict_json.h"

namespace archway::identity {
namespace {

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The header checks that do not depend on a key, in a fixed order so that
// one token always fails with one reason.
std::optional<JwtFailure> check_header(const nlohmann::json& header, CompactJws& jws) {
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return JwtFailure::kMalformed;
  const auto parsed_alg = parse_jws_algorithm(alg->get_ref<const std::string&>());
  if (!parsed_alg) return JwtFailure::kAlgNotAllowed;
  jws.alg = *parsed_alg;

  if (const auto kid = header.find("kid"); kid != header.end()) {
    if (!kid->is_string()) return JwtFailure::kMalformed;
    jws.kid = kid->get<std::string>();
  }
  if (const auto b64 = header.find("b64"); b64 != header.end() && *b64 != true) {
    return JwtFailure::kMalformed;
  }
  if (const auto crit = header.find("crit"); crit != header.end()) {
    // RFC 7515 §4.1.11: a non-empty array of names; we understand none.
    if (!crit->is_array() || crit->empty()) return JwtFailure::kMalformed;
    return JwtFailure::kUnknownCrit;
  }
  if (header.contains("zip") || header.contains("enc") || header.contains("cty")) {
    return JwtFailure::kMalformed;
  }
  if (const auto typ = header.find("typ"); typ != header.end()) {
    if (!typ->is_string() || !is_jwt_type(typ->get_ref<const std::string&>())) {
      return JwtFailure::kWrongType;
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_jwt_type(std::string_view typ) {
  std::string t = lowercase(typ);
  if (t.starts_with("application/")) t.erase(0, 12);
  return t == "jwt" || t == "at+jwt";
}

JwtResult<CompactJws> parse_compact_jws(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) return JwtFailure::kTooLarge;
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return JwtFailure::kMalformed;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return JwtFailure::kMalformed;  // exactly three parts (a JWE has five)
  }
  const std::string_view header_part = token.substr(0, first);
  CompactJws jws;
  jws.signing_input = token.substr(0, second);

  const auto header_json = base64url_decode(header_part);
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header_json || !payload || payload->empty() || !signature) return JwtFailure::kMalformed;
  const auto header = parse_strict_json_object(*header_json);
  if (!header) return JwtFailure::kMalformed;
  if (const auto failure = check_header(*header, jws)) return *failure;
  jws.payload = std::move(*payload);
  jws.signature = std::move(*signature);
  return jws;
}

}  // namespace archway::identity
