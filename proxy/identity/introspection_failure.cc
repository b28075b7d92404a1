#include "proxy/identity/introspection_failure.h"

namespace archway::identity {

std::string_view failure_label(IntrospectionFailure failure) {
  switch (failure) {
    case IntrospectionFailure::kMalformed:
      return "malformed";
    case IntrospectionFailure::kInactive:
      return "inactive";
    case IntrospectionFailure::kExpired:
      return "expired";
    case IntrospectionFailure::kNotYetValid:
      return "not_yet_valid";
    case IntrospectionFailure::kWrongAudience:
      return "wrong_audience";
    case IntrospectionFailure::kInsufficientScope:
      return "insufficient_scope";
    case IntrospectionFailure::kEndpointUnavailable:
      return "endpoint_unavailable";
    case IntrospectionFailure::kEndpointError:
      return "endpoint_error";
  }
  return "endpoint_error";
}

bool is_endpoint_failure(IntrospectionFailure failure) {
  return failure == IntrospectionFailure::kEndpointUnavailable ||
         failure == IntrospectionFailure::kEndpointError;
}

int http_status_for(IntrospectionFailure failure) {
  if (is_endpoint_failure(failure)) return 503;
  return failure == IntrospectionFailure::kInsufficientScope ? 403 : 401;
}

std::string_view bearer_error_code(IntrospectionFailure failure) {
  if (is_endpoint_failure(failure)) return {};
  return failure == IntrospectionFailure::kInsufficientScope ? "insufficient_scope"
                                                             : "invalid_token";
}

}  // namespace archway::identity
