#include "proxy/identity/jwt_failure.h"

namespace archway::identity {

std::string_view failure_label(JwtFailure failure) {
  switch (failure) {
    case JwtFailure::kMalformed:
      return "malformed";
    case JwtFailure::kTooLarge:
      return "too_large";
    case JwtFailure::kAlgNotAllowed:
      return "alg_not_allowed";
    case JwtFailure::kUnknownKey:
      return "unknown_key";
    case JwtFailure::kBadSignature:
      return "bad_signature";
    case JwtFailure::kUnknownCrit:
      return "unknown_crit";
    case JwtFailure::kWrongType:
      return "wrong_type";
    case JwtFailure::kMissingExp:
      return "missing_exp";
    case JwtFailure::kExpired:
      return "expired";
    case JwtFailure::kNotYetValid:
      return "not_yet_valid";
    case JwtFailure::kWrongIssuer:
      return "wrong_issuer";
    case JwtFailure::kWrongAudience:
      return "wrong_audience";
    case JwtFailure::kInsufficientScope:
      return "insufficient_scope";
  }
  return "malformed";
}

std::string_view bearer_error_code(JwtFailure failure) {
  return failure == JwtFailure::kInsufficientScope ? "insufficient_scope" : "invalid_token";
}

int http_status_for(JwtFailure failure) {
  return failure == JwtFailure::kInsufficientScope ? 403 : 401;
}

}  // namespace archway::identity
