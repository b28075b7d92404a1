#pragma once
// RFC 6750 on the wire: the bearer token of a request (§2.1) and the
// answers that refuse one (§3). Pure. Private to filters/auth/.

#include <string>
#include <string_view>
#include <vector>

#include "proxy/config/policies/auth.h"
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

// Whether a found value's characters are checked now. kOnMiss is for a
// caller that looks the value up among tokens it verified before (an
// exact match is a token68, since it was one then) and checks it with
// is_token68 before anything else reads it.
enum class TokenCheck { kToken68, kOnMiss };

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
[[nodiscard]] bool is_token68(std::string_view s);

// The token of `Authorization: Bearer <token>`: exactly one Authorization
// field, the scheme without case, one or more spaces, then a token68
// (RFC 7235 §2.1; with kOnMiss, anything non-empty) and nothing after it.
[[nodiscard]] BearerCredentials find_bearer(const http::Headers& headers,
                                            TokenCheck check = TokenCheck::kToken68);

// The token where `source` says (docs/auth.md "Where the token is"):
//   kAuthorization   find_bearer;
//   kHeader          the field's whole value;
//   kCookie          the value of the cookie of that name, in any Cookie
//                    field (surrounding double quotes removed);
//   kQueryParameter  the value of the parameter of that name in the
//                    request target's query, as written (not decoded).
// kNone when absent; kMalformed when found more than once (which one would
// the backend believe?) or when the value is not a token68.
[[nodiscard]] BearerCredentials find_token(const config::TokenSource& source,
                                           const http::Request& request,
                                           TokenCheck check = TokenCheck::kToken68);

// Takes the token's carrier out of the request before it is forwarded:
// every field of a kHeader source; the named cookie from each Cookie field
// (the others kept in order; a field left empty goes); the named parameter
// from the target's query (the others kept in order). Nothing for
// kAuthorization: the backend may want the credentials (docs/auth.md).
// Invalidates views into the request's fields and target.
void remove_token(const config::TokenSource& source, http::Request& request);

// Removes every field named in `names` (lower case).
void strip_fields(http::Headers& headers, const std::vector<std::string>& names);

// 401 with `WWW-Authenticate: Bearer` and no error: the request carried no
// bearer credentials (§3.1: no error code then).
[[nodiscard]] LocalReply missing_token_reply();
// 401 `Bearer error="invalid_token"`.
[[nodiscard]] LocalReply invalid_token_reply();
// RFC 6750 §3's `scope` value: the scopes, space-separated.
[[nodiscard]] std::string scope_text(const std::vector<std::string>& scopes);
// 403 `Bearer error="insufficient_scope", scope="<required, space-separated>"`.
[[nodiscard]] LocalReply insufficient_scope_reply(std::string_view scope);
// 503: no key set to verify with (the identity provider is unreachable;
// not the client's fault). No WWW-Authenticate: the token was not judged.
[[nodiscard]] LocalReply keys_unavailable_reply();

}  // namespace archway::filters::auth
