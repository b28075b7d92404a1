#pragma once
// RFC 6750 on the wire: the bearer token of a request (§2.1) and the
// answers that refuse one (§3). Pure. Private to filters/auth/.

#include <string>
#include <string_view>
#include <vector>

#include "proxy/filters/filter.h"
#include "proxy/http/message.h"

namespace archway::filters::auth {

struct BearerCredentials {
  enum class Kind {
    kNone,       // no Authorization field, or another scheme (Basic …)
    kMalformed,  // several Authorization fields, or "Bearer" without a valid token68
    kToken,
  };
  Kind kind = Kind::kNone;
  std::string_view token;  // kToken: points into the request's headers
};

// The token of `Authorization: Bearer <token>`: exactly one Authorization
// field, the scheme without case, one or more spaces, then a token68
// (RFC 7235 §2.1) and nothing after it.
[[nodiscard]] BearerCredentials find_bearer(const http::Headers& headers);

// Removes every field named in `names` (lower case).
void strip_fields(http::Headers& headers, const std::vector<std::string>& names);

// 401 with `WWW-Authenticate: Bearer` and no error: the request carried no
// bearer credentials (§3.1: no error code then).
[[nodiscard]] LocalReply missing_token_reply();
// 401 `Bearer error="invalid_token"`.
[[nodiscard]] LocalReply invalid_token_reply();
// 403 `Bearer error="insufficient_scope", scope="<required, space-separated>"`.
[[nodiscard]] LocalReply insufficient_scope_reply(std::string_view scope);
// 503: no key set to verify with (the identity provider is unreachable;
// not the client's fault). No WWW-Authenticate: the token was not judged.
[[nodiscard]] LocalReply keys_unavailable_reply();

}  // namespace archway::filters::auth
