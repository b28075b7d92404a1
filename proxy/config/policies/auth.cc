// auth: the snapshot form of the APIRoute field (docs/snapshot.md "auth").
// Where the CRD names Secrets, the snapshot carries what the controller read
// from them: the JWKS JSON, the introspection client's credentials, and
// SHA-256 digests of API keys (never the keys).

#include <algorithm>

#include "common/text_scan.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

// {"header": name} | {"cookie": name} | {"queryParameter": name}; the
// count is judged by validate_token_source, so a user sees one message.
void decode_token_source(Decoder& d, const ObjectReader& parent, TokenSource& out) {
  const Json* json = parent.child("tokenSource");
  if (json == nullptr) return;
  ObjectReader r(d, *json, parent.field("tokenSource"), {"header", "cookie", "queryParameter"});
  int set = 0;
  for (const auto& [key, kind] :
       {std::pair{"header", TokenSource::Kind::kHeader},
        std::pair{"cookie", TokenSource::Kind::kCookie},
        std::pair{"queryParameter", TokenSource::Kind::kQueryParameter}}) {
    if (r.child(key) == nullptr) continue;
    r.get(key, out.name, /*required=*/true);
    out.kind = kind;
    ++set;
  }
  if (r.ok() && set != 1) {
    d.fail(parent.field("tokenSource"),
           "exactly one of header, cookie and queryParameter must be set");
  }
  if (out.kind == TokenSource::Kind::kHeader) out.name = ascii_lower(out.name);
}

// jwt and oauth2Introspection alike.
void decode_forward_claims(Decoder& d, ObjectReader& r, std::vector<ForwardClaim>& out) {
  r.each("forwardClaims", [&](const Json& element, const std::string& p) {
    ObjectReader c(d, element, p, {"claim", "header"});
    ForwardClaim& claim = out.emplace_back();
    c.get("claim", claim.claim, /*required=*/true);
    c.get("header", claim.header, /*required=*/true);
    claim.header = ascii_lower(claim.header);
  });
}

void decode_jwt(Decoder& d, const Json& json, const std::string& path, JwtAuth& out) {
  ObjectReader r(d, json, path,
                 {"issuer", "audiences", "jwksUri", "jwks", "requiredScopes", "forwardClaims",
                  "clockSkew", "tokenSource"});
  r.get("issuer", out.issuer, /*required=*/true);
  if (r.ok() && r.child("audiences") == nullptr) d.fail(r.field("audiences"), "is required");
  r.get_strings("audiences", out.audiences);
  r.get("jwksUri", out.jwks_uri);
  r.get("jwks", out.jwks);
  r.get_strings("requiredScopes", out.required_scopes);
  decode_forward_claims(d, r, out.forward_claims);
  r.get_duration("clockSkew", out.clock_skew);
  decode_token_source(d, r, out.token_source);
}

void decode_introspection(Decoder& d, const Json& json, const std::string& path,
                          OAuth2Introspection& out) {
  ObjectReader r(d, json, path,
                 {"endpoint", "clientId", "clientSecret", "requiredScopes", "cacheTtl",
                  "tokenSource", "audiences", "forwardClaims", "staleGracePeriod"});
  r.get("endpoint", out.endpoint, /*required=*/true);
  r.get("clientId", out.client_id, /*required=*/true);
  r.get("clientSecret", out.client_secret, /*required=*/true);
  r.get_strings("requiredScopes", out.required_scopes);
  r.get_duration("cacheTtl", out.cache_ttl);
  decode_token_source(d, r, out.token_source);
  r.get_strings("audiences", out.audiences);
  decode_forward_claims(d, r, out.forward_claims);
  r.get_duration("staleGracePeriod", out.stale_grace_period);
}

void decode_api_key(Decoder& d, const Json& json, const std::string& path, ApiKeyAuth& out) {
  ObjectReader r(d, json, path, {"header", "keys"});
  r.get("header", out.header);
  out.header = ascii_lower(out.header);
  if (r.ok() && r.child("keys") == nullptr) d.fail(r.field("keys"), "is required");
  r.each("keys", [&](const Json& element, const std::string& p) {
    ObjectReader k(d, element, p, {"id", "sha256"});
    ApiKeyDigest& key = out.keys.emplace_back();
    k.get("id", key.id, /*required=*/true);
    k.get("sha256", key.sha256, /*required=*/true);
    key.sha256 = ascii_lower(key.sha256);
  });
}

// The CRD's scope pattern: visible ASCII except '"' and '\'.
Result<void> validate_scopes(const std::vector<std::string>& scopes, const std::string& path) {
  if (auto r = check_count(scopes.size(), path, 0, 32); !r.ok()) return r;
  for (size_t i = 0; i < scopes.size(); ++i) {
    const std::string& scope = scopes[i];
    const bool ok = !scope.empty() && scope.size() <= 256 &&
                    std::all_of(scope.begin(), scope.end(), [](char c) {
                      return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
                    });
    if (!ok) {
      return invalid(index_field(path, i),
                     "must be 1 to 256 visible ASCII characters other than '\"' and '\\'");
    }
  }
  return check_distinct(scopes, path);
}

Result<void> validate_jwks(const std::string& jwks, const std::string& path) {
  const Json parsed = Json::parse(jwks, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return invalid(path, "must be a JSON Web Key Set (a JSON object)");
  }
  const auto keys = parsed.find("keys");
  if (keys == parsed.end() || !keys->is_array() || keys->empty()) {
    return invalid(path, "must hold a non-empty \"keys\" array");
  }
  return {};
}

// A cookie name is an RFC 9110 token (is_tchar); a query parameter name is compared
// as written, so it is kept to RFC 3986's unreserved characters (nothing
// that percent-encoding or '+' could spell two ways).
bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

Result<void> validate_token_source(const TokenSource& source,
                                   const std::vector<ForwardClaim>& forward_claims,
                                   const std::string& path) {
  using Kind = TokenSource::Kind;
  const auto name_of = [&](bool (*allowed)(char)) {
    return !source.name.empty() && source.name.size() <= 256 &&
           std::all_of(source.name.begin(), source.name.end(), allowed);
  };
  switch (source.kind) {
    case Kind::kAuthorization:
      return {};
    case Kind::kHeader: {
      const std::string at = path + ".header";
      if (auto r = check_lower_header_name(source.name, at); !r.ok()) return r;
      // Authorization carries a scheme before the token: that is the
      // default source. Cookie has its own source.
      if (source.name == "authorization" || source.name == "cookie") {
        return invalid(at, "must not be " + source.name +
                               " (leave tokenSource out for Authorization: Bearer; use cookie)");
      }
      // Forwarded-claim headers are removed before the token is read.
      for (const ForwardClaim& claim : forward_claims) {
        if (claim.header == source.name) return invalid(at, "is also a forwardClaims header");
      }
      return {};
    }
    case Kind::kCookie:
      if (!name_of(is_tchar)) return invalid(path + ".cookie", "must be a cookie name (a token)");
      return {};
    case Kind::kQueryParameter:
      if (!name_of(is_unreserved)) {
        return invalid(path + ".queryParameter",
                       "must be 1 to 256 letters, digits, '-', '.', '_' or '~'");
      }
      return {};
  }
  return {};
}

// jwt: at least one; oauth2Introspection: none is fine (not checked).
Result<void> validate_audiences(const std::vector<std::string>& audiences, const std::string& path,
                                size_t min) {
  if (auto r = check_count(audiences.size(), path, min, 16); !r.ok()) return r;
  for (size_t i = 0; i < audiences.size(); ++i) {
    if (auto r = check_text(audiences[i], index_field(path, i), 2048); !r.ok()) return r;
  }
  return check_distinct(audiences, path);
}

Result<void> validate_forward_claims(const std::vector<ForwardClaim>& claims,
                                     const std::string& path) {
  if (auto r = check_count(claims.size(), path, 0, 16); !r.ok()) return r;
  std::vector<std::string> headers;
  for (size_t i = 0; i < claims.size(); ++i) {
    const ForwardClaim& claim = claims[i];
    const std::string at = index_field(path, i);
    if (auto r = check_text(claim.claim, at + ".claim", 256); !r.ok()) return r;
    if (auto r = check_lower_header_name(claim.header, at + ".header"); !r.ok()) return r;
    if (std::find(headers.begin(), headers.end(), claim.header) != headers.end()) {
      return invalid(at + ".header", "duplicate header \"" + claim.header + "\"");
    }
    headers.push_back(claim.header);
  }
  return {};
}

Result<void> validate_jwt(const JwtAuth& jwt, const std::string& path) {
  if (auto r = check_text(jwt.issuer, path + ".issuer", 2048); !r.ok()) return r;
  if (auto r = validate_audiences(jwt.audiences, path + ".audiences", 1); !r.ok()) return r;
  if (jwt.jwks_uri.has_value() == jwt.jwks.has_value()) {
    return invalid(path, "exactly one of jwksUri and jwks must be set");
  }
  if (jwt.jwks_uri) {
    if (auto r = check_url(*jwt.jwks_uri, path + ".jwksUri"); !r.ok()) return r;
  }
  if (jwt.jwks) {
    if (auto r = validate_jwks(*jwt.jwks, path + ".jwks"); !r.ok()) return r;
  }
  if (auto r = validate_scopes(jwt.required_scopes, path + ".requiredScopes"); !r.ok()) return r;
  if (auto r = validate_forward_claims(jwt.forward_claims, path + ".forwardClaims"); !r.ok()) {
    return r;
  }
  if (jwt.clock_skew.count() < 0) return invalid(path + ".clockSkew", "must not be negative");
  return validate_token_source(jwt.token_source, jwt.forward_claims, path + ".tokenSource");
}

Result<void> validate_introspection(const OAuth2Introspection& o, const std::string& path) {
  if (auto r = check_url(o.endpoint, path + ".endpoint"); !r.ok()) return r;
  if (auto r = check_text(o.client_id, path + ".clientId", 1024); !r.ok()) return r;
  if (auto r = check_text(o.client_secret, path + ".clientSecret", 4096); !r.ok()) return r;
  if (auto r = validate_scopes(o.required_scopes, path + ".requiredScopes"); !r.ok()) return r;
  if (o.cache_ttl.count() < 0) return invalid(path + ".cacheTtl", "must not be negative");
  if (auto r = validate_audiences(o.audiences, path + ".audiences", 0); !r.ok()) return r;
  if (auto r = validate_forward_claims(o.forward_claims, path + ".forwardClaims"); !r.ok()) {
    return r;
  }
  if (o.stale_grace_period.count() < 0) {
    return invalid(path + ".staleGracePeriod", "must not be negative");
  }
  return validate_token_source(o.token_source, o.forward_claims, path + ".tokenSource");
}

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
// A Secret's data key: what the key id comes from.
bool is_key_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

Result<void> validate_api_key(const ApiKeyAuth& a, const std::string& path) {
  if (auto r = check_lower_header_name(a.header, path + ".header"); !r.ok()) return r;
  const std::string keys = path + ".keys";
  if (auto r = check_count(a.keys.size(), keys, 1, 10000); !r.ok()) return r;
  // An id may repeat: one entry per key, several keys per id while a key is
  // rotated (docs/auth.md "API keys"). A key (its digest) may not.
  std::vector<std::string> digests;
  for (size_t i = 0; i < a.keys.size(); ++i) {
    const ApiKeyDigest& key = a.keys[i];
    const std::string at = index_field(keys, i);
    if (key.id.empty() || key.id.size() > 253 ||
        !std::all_of(key.id.begin(), key.id.end(), is_key_id_char)) {
      return invalid(at + ".id", "must be 1 to 253 letters, digits, '-', '.' or '_'");
    }
    if (key.sha256.size() != 64 ||
        !std::all_of(key.sha256.begin(), key.sha256.end(), is_lower_hex)) {
      return invalid(at + ".sha256", "must be a SHA-256 digest in hex (64 characters)");
    }
    digests.push_back(key.sha256);
  }
  if (auto r = check_distinct(digests, keys); !r.ok()) {
    return invalid(r.error().field + ".sha256", "the same key is listed twice");
  }
  return {};
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, Auth& out) {
  ObjectReader r(d, json, path, {"jwt", "oauth2Introspection", "apiKey"});
  if (const Json* jwt = r.child("jwt")) decode_jwt(d, *jwt, r.field("jwt"), out.jwt.emplace());
  if (const Json* o = r.child("oauth2Introspection")) {
    decode_introspection(d, *o, r.field("oauth2Introspection"), out.oauth2_introspection.emplace());
  }
  if (const Json* key = r.child("apiKey")) {
    decode_api_key(d, *key, r.field("apiKey"), out.api_key.emplace());
  }
}

Result<void> validate(const Auth& auth, const std::string& path) {
  const int methods =
      (auth.jwt ? 1 : 0) + (auth.oauth2_introspection ? 1 : 0) + (auth.api_key ? 1 : 0);
  if (methods != 1) {
    return invalid(path, "exactly one of jwt, oauth2Introspection and apiKey must be set");
  }
  if (auth.jwt) return validate_jwt(*auth.jwt, path + ".jwt");
  if (auth.oauth2_introspection) {
    return validate_introspection(*auth.oauth2_introspection, path + ".oauth2Introspection");
  }
  return validate_api_key(*auth.api_key, path + ".apiKey");
}

namespace {

// Absent for the default, so snapshots without the field keep their form.
void put_token_source(const TokenSource& source, Json& out) {
  using Kind = TokenSource::Kind;
  switch (source.kind) {
    case Kind::kAuthorization:
      return;
    case Kind::kHeader:
      out["tokenSource"] = {{"header", source.name}};
      return;
    case Kind::kCookie:
      out["tokenSource"] = {{"cookie", source.name}};
      return;
    case Kind::kQueryParameter:
      out["tokenSource"] = {{"queryParameter", source.name}};
      return;
  }
}

Json forward_claims_json(const std::vector<ForwardClaim>& claims) {
  Json out = Json::array();
  for (const ForwardClaim& c : claims) out.push_back({{"claim", c.claim}, {"header", c.header}});
  return out;
}

}  // namespace

Json to_json(const Auth& auth) {
  Json out = Json::object();
  if (const auto& jwt = auth.jwt) {
    Json j = {{"issuer", jwt->issuer},
              {"audiences", jwt->audiences},
              {"requiredScopes", jwt->required_scopes},
              {"forwardClaims", forward_claims_json(jwt->forward_claims)},
              {"clockSkew", format_duration(jwt->clock_skew)}};
    if (jwt->jwks_uri) j["jwksUri"] = *jwt->jwks_uri;
    if (jwt->jwks) j["jwks"] = *jwt->jwks;
    put_token_source(jwt->token_source, j);
    out["jwt"] = std::move(j);
  }
  if (const auto& o = auth.oauth2_introspection) {
    out["oauth2Introspection"] = {{"endpoint", o->endpoint},
                                  {"clientId", o->client_id},
                                  {"clientSecret", o->client_secret},
                                  {"requiredScopes", o->required_scopes},
                                  {"cacheTtl", format_duration(o->cache_ttl)}};
    Json& j = out["oauth2Introspection"];
    put_token_source(o->token_source, j);
    // Absent when unset, so snapshots without them keep their form.
    if (!o->audiences.empty()) j["audiences"] = o->audiences;
    if (!o->forward_claims.empty()) j["forwardClaims"] = forward_claims_json(o->forward_claims);
    if (o->stale_grace_period.count() != 0) {
      j["staleGracePeriod"] = format_duration(o->stale_grace_period);
    }
  }
  if (const auto& a = auth.api_key) {
    Json keys = Json::array();
    for (const ApiKeyDigest& k : a->keys) keys.push_back({{"id", k.id}, {"sha256", k.sha256}});
    out["apiKey"] = {{"header", a->header}, {"keys", std::move(keys)}};
  }
  return out;
}

}  // namespace archway::config
