#pragma once
// The `auth` policy as the snapshot carries it (docs/snapshot.md "auth").
// Unlike the APIRoute field, it references nothing: the controller resolves
// Secrets into the key set, client credentials and key digests, so the
// snapshot stays self-contained (DESIGN.md §1). Exactly one method is set.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace archway::config {

struct ForwardClaim {
  std::string claim;   // top-level claim name
  std::string header;  // request header set from it, lower case

  bool operator==(const ForwardClaim&) const = default;
};

// Where a request carries its token (docs/auth.md "Where the token is").
// kAuthorization: `Authorization: Bearer <token>`, kept for the backend.
// Any other: the named header's whole value, the named cookie of the
// Cookie field or the named query parameter, removed before the request
// is forwarded. Shared by jwt and oauth2Introspection.
struct TokenSource {
  enum class Kind { kAuthorization, kHeader, kCookie, kQueryParameter };
  Kind kind = Kind::kAuthorization;
  std::string name;  // kHeader: lower case; kCookie, kQueryParameter: as written

  bool operator==(const TokenSource&) const = default;
};

struct JwtAuth {
  std::string issuer;                  // compared byte for byte with `iss`
  std::vector<std::string> audiences;  // at least one; `aud` must name one
  // Exactly one: a URL the proxy fetches, or the JSON Web Key Set itself
  // (JSON text, as the controller read it from a Secret).
  std::optional<std::string> jwks_uri;
  std::optional<std::string> jwks;
  std::vector<std::string> required_scopes;
  std::vector<ForwardClaim> forward_claims;
  std::chrono::milliseconds clock_skew{60000};  // the CRD default (docs/auth.md)
  TokenSource token_source;

  bool operator==(const JwtAuth&) const = default;
};

struct OAuth2Introspection {
  std::string endpoint;  // RFC 7662 endpoint URL
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> required_scopes;
  std::chrono::milliseconds cache_ttl{30000};
  TokenSource token_source;
  // As JwtAuth's, checked on the answer's `aud`; unlike JWT, optional
  // (empty: not checked), since RFC 7662 makes `aud` optional.
  // (Braced: aggregate initialisers written before these fields existed
  // still name every member, for -Wmissing-field-initializers.)
  std::vector<std::string> audiences{};
  std::vector<ForwardClaim> forward_claims{};  // as JwtAuth's
  // While the endpoint fails, an active answer that left the cache less
  // than this long ago still stands (never past the token's exp). 0: fail
  // closed at once.
  std::chrono::milliseconds stale_grace_period{0};

  bool operator==(const OAuth2Introspection&) const = default;
};

struct ApiKeyDigest {
  std::string id;      // the key id (rate-limit key, logs, metrics)
  std::string sha256;  // lower-case hex SHA-256 of the key; never the key itself

  bool operator==(const ApiKeyDigest&) const = default;
};

struct ApiKeyAuth {
  std::string header = "x-api-key";  // lower case
  // At least one; digests distinct. An id appears once per key: several
  // times while its key is rotated.
  std::vector<ApiKeyDigest> keys;

  bool operator==(const ApiKeyAuth&) const = default;
};

struct Auth {
  std::optional<JwtAuth> jwt;
  std::optional<OAuth2Introspection> oauth2_introspection;
  std::optional<ApiKeyAuth> api_key;

  bool operator==(const Auth&) const = default;
};

}  // namespace archway::config
