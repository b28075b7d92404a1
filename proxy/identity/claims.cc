#include "proxy/identity/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace archway::identity {
namespace {

enum class DateStatus { kAbsent, kMalformed, kPresent };

DateStatus numeric_date(const nlohmann::json& claims, const char* name, int64_t& seconds) {
  const auto it = claims.find(name);
  if (it == claims.end()) return DateStatus::kAbsent;
  if (it->is_number_unsigned()) {
    const auto v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return DateStatus::kMalformed;
    }
    seconds = static_cast<int64_t>(v);
    return DateStatus::kPresent;
  }
  if (it->is_number_integer()) {
    seconds = it->get<int64_t>();
    return DateStatus::kPresent;
  }
  if (it->is_number_float()) {
    // ±2^62 s is far beyond any real date and keeps the skew arithmetic
    // below from overflowing.
    const double v = std::floor(it->get<double>());
    constexpr double kLimit = 4.6e18;
    if (!std::isfinite(v) || v > kLimit || v < -kLimit) return DateStatus::kMalformed;
    seconds = static_cast<int64_t>(v);
    return DateStatus::kPresent;
  }
  return DateStatus::kMalformed;
}

void add_space_separated(std::string_view text, std::vector<std::string>& out) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string> scopes_of(const nlohmann::json& claims) {
  std::vector<std::string> scopes;
  if (const auto it = claims.find("scope"); it != claims.end() && it->is_string()) {
    add_space_separated(it->get_ref<const std::string&>(), scopes);
  }
  if (const auto it = claims.find("scp"); it != claims.end()) {
    if (it->is_string()) add_space_separated(it->get_ref<const std::string&>(), scopes);
    if (it->is_array()) {
      for (const auto& s : *it) {
        if (s.is_string()) scopes.push_back(s.get<std::string>());
      }
    }
  }
  return scopes;
}

bool audience_matches(const nlohmann::json& claims, const std::vector<std::string>& audiences) {
  const auto aud = claims.find("aud");
  if (aud == claims.end()) return false;
  auto configured = [&](const nlohmann::json& value) {
    return value.is_string() && std::find(audiences.begin(), audiences.end(),
                                          value.get_ref<const std::string&>()) != audiences.end();
  };
  if (aud->is_array()) return std::any_of(aud->begin(), aud->end(), configured);
  return configured(*aud);
}

}  // namespace

JwtResult<VerifiedToken> check_claims(nlohmann::json claims, const JwtPolicy& policy,
                                      std::chrono::sys_seconds now) {
  const int64_t now_s = now.time_since_epoch().count();
  const int64_t skew = policy.clock_skew.count();
  int64_t exp = 0;
  switch (numeric_date(claims, "exp", exp)) {
    case DateStatus::kAbsent:
    case DateStatus::kMalformed:
      return JwtFailure::kMissingExp;
    case DateStatus::kPresent:
      break;
  }
  if (now_s - skew >= exp) return JwtFailure::kExpired;
  for (const char* name : {"nbf", "iat"}) {
    int64_t when = 0;
    const DateStatus status = numeric_date(claims, name, when);
    if (status == DateStatus::kMalformed) return JwtFailure::kMalformed;
    if (status == DateStatus::kPresent && when > now_s + skew) return JwtFailure::kNotYetValid;
  }

  const auto iss = claims.find("iss");
  if (policy.issuer.empty() || iss == claims.end() || !iss->is_string() ||
      iss->get_ref<const std::string&>() != policy.issuer) {
    return JwtFailure::kWrongIssuer;
  }
  if (!policy.audiences.empty() && !audience_matches(claims, policy.audiences)) {
    return JwtFailure::kWrongAudience;
  }

  VerifiedToken token;
  token.expires_at = std::chrono::sys_seconds(std::chrono::seconds(exp));
  token.scopes = scopes_of(claims);
  for (const std::string& required : policy.required_scopes) {
    if (!token.has_scope(required)) return JwtFailure::kInsufficientScope;
  }
  token.claims = std::move(claims);
  return token;
}

}  // namespace archway::identity
