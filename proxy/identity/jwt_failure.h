#pragma once
// Why a token was refused: one typed reason per check, which the JWT filter
// maps to the RFC 6750 answer (401 invalid_token, 403 insufficient_scope) and
// to the `reason` label of archway_auth_failures_total. The client never sees
// the reason itself (issue 13: no hint beyond the RFC's codes).

#include <string_view>

namespace archway::identity {

enum class JwtFailure {
  kMalformed,          // not a compact JWS/JWT we accept (parts, base64url, JSON, header fields)
  kTooLarge,           // longer than the policy's token limit
  kAlgNotAllowed,      // alg unknown ("none" …), not allowed, or not the selected key's
  kUnknownKey,         // the token's kid names no key in the set
  kBadSignature,       // no candidate key verifies the signature
  kUnknownCrit,        // a crit header extension we do not implement
  kWrongType,          // typ present and not a JWT type
  kMissingExp,         // no exp, or exp not a number
  kExpired,            // exp passed (beyond the clock skew)
  kNotYetValid,        // nbf or iat in the future (beyond the clock skew)
  kWrongIssuer,        // iss missing or not the configured issuer
  kWrongAudience,      // aud has none of the configured audiences
  kInsufficientScope,  // valid token without every required scope
};

// The metric label: "malformed", "bad_signature", …
[[nodiscard]] std::string_view failure_label(JwtFailure failure);

// RFC 6750 §3.1: "insufficient_scope" (403) or "invalid_token" (401).
[[nodiscard]] std::string_view bearer_error_code(JwtFailure failure);
[[nodiscard]] int http_status_for(JwtFailure failure);

}  // namespace archway::identity

#include <utility>
#include <variant>

namespace archway::identity {

// The value, or why the token was refused. The request path returns this,
// never throws (STYLE.md habit 6); common/Result's free-text Error would lose
// the reason's type the filter and the metric need.
template <typename T>
class [[nodiscard]] JwtResult {
 public:
  JwtResult(T value) : v_(std::move(value)) {}    // NOLINT: implicit by design
  JwtResult(JwtFailure failure) : v_(failure) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T* operator->() const { return &std::get<0>(v_); }
  [[nodiscard]] JwtFailure failure() const { return std::get<1>(v_); }

 private:
  std::variant<T, JwtFailure> v_;
};

}  // namespace archway::identity
