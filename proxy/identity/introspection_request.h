#pragma once
// The RFC 7662 request for one token, as plain text: the outbound adaptor
// turns it into an OutboundRequest, tests read it as it is. Pure.
//
//   POST <endpoint>
//   authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))
//   content-type: application/x-www-form-urlencoded
//   accept: application/json
//
//   token=<urlencoded>&token_type_hint=access_token
//
// Client authentication is HTTP Basic as RFC 6749 §2.3.1 has it: id and
// secret are form-urlencoded before base64, so a ':' in the id cannot move
// the split.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archway::identity {

struct IntrospectionRequest {
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
};

[[nodiscard]] IntrospectionRequest build_introspection_request(std::string_view token,
                                                               std::string_view client_id,
                                                               std::string_view client_secret);

// application/x-www-form-urlencoded for one name or value: ALPHA, DIGIT and
// "-._~" as they are, every other byte %XX (upper-case hex; a space too, so
// the result reads the same to a decoder that does not map '+').
[[nodiscard]] std::string form_urlencode(std::string_view text);

}  // namespace archway::identity
