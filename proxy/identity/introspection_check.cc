#include "proxy/identity/introspection_check.h"

#include <algorithm>

namespace archway::identity {

Result<void, IntrospectionFailure> check_introspection(const TokenIntrospection& token,
                                                       const IntrospectionPolicy& policy,
                                                       std::chrono::system_clock::time_point now) {
  const auto skew = policy.clock_skew;
  if (token.expires_at && now >= *token.expires_at + skew) return IntrospectionFailure::kExpired;
  if ((token.not_before && *token.not_before > now + skew) ||
      (token.issued_at && *token.issued_at > now + skew)) {
    return IntrospectionFailure::kNotYetValid;
  }
  if (!names_an_audience(token, policy.audiences)) return IntrospectionFailure::kWrongAudience;
  for (const std::string& scope : policy.required_scopes) {
    if (!token.has_scope(scope)) return IntrospectionFailure::kInsufficientScope;
  }
  return {};
}

bool names_an_audience(const TokenIntrospection& token, const std::vector<std::string>& audiences) {
  if (audiences.empty()) return true;
  return std::any_of(token.audiences.begin(), token.audiences.end(), [&](const std::string& aud) {
    return std::find(audiences.begin(), audiences.end(), aud) != audiences.end();
  });
}

bool is_bearer_token_syntax(std::string_view token, size_t max_bytes) {
  if (token.empty() || token.size() > max_bytes) return false;
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  return std::all_of(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(end), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
}

}  // namespace archway::identity
