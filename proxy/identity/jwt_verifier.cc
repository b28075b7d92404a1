#include "proxy/identity/jwt_verifier.h"

#include <algorithm>

#include "proxy/identity/claims.h"
#include "proxy/identity/compact_jws.h"
#include "proxy/identity/signature.h"
#include "proxy/identity/strict_json.h"

namespace archway::identity {
namespace {

// The key that verifies the signature, or why none does.
JwtResult<const Jwk*> verifying_key(const CompactJws& jws, const JwkSet& keys) {
  bool kid_known = false;
  bool alg_accepted = false;
  for (const Jwk& key : keys.keys()) {
    if (jws.kid && key.kid != *jws.kid) continue;
    kid_known = true;
    if (!key.verifies(jws.alg)) continue;
    alg_accepted = true;
    if (verify_signature(jws.alg, key, jws.signing_input, jws.signature)) return &key;
  }
  if (jws.kid && !kid_known) return JwtFailure::kUnknownKey;
  if (!alg_accepted) return JwtFailure::kAlgNotAllowed;
  return JwtFailure::kBadSignature;
}

}  // namespace

JwtResult<VerifiedToken> verify_jwt(std::string_view token, const JwkSet& keys,
                                    const JwtPolicy& policy, std::chrono::sys_seconds now) {
  auto jws = parse_compact_jws(token, policy.max_token_bytes);
  if (!jws.ok()) return jws.failure();
  if (!policy.algorithms.empty() && std::find(policy.algorithms.begin(), policy.algorithms.end(),
                                              jws->alg) == policy.algorithms.end()) {
    return JwtFailure::kAlgNotAllowed;
  }
  const auto key = verifying_key(jws.value(), keys);
  if (!key.ok()) return key.failure();

  auto claims = parse_strict_json_object(jws->payload);
  if (!claims) return JwtFailure::kMalformed;
  auto verified = check_claims(std::move(*claims), policy, now);
  if (!verified.ok()) return verified.failure();
  VerifiedToken result = std::move(verified).value();
  result.alg = jws->alg;
  result.kid = key.value()->kid;
  return result;
}

}  // namespace archway::identity
