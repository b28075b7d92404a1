#pragma once
// Test-only: the key set, policy, clock and token builders shared by the
// crafted-token table and the verifier's own tests. Keys are generated once
// per test binary (RSA key generation is the slow part).

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "proxy/identity/jwk_set.h"
#include "proxy/identity/jwt_policy.h"
#include "tests/proxy/identity/token_forge.h"

namespace archway::identity::testing {

using nlohmann::json;

inline constexpr int64_t kNow = 1'700'000'000;
inline const std::chrono::sys_seconds kNowTime{std::chrono::seconds(kNow)};
inline constexpr std::string_view kHmacSecret =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Keys {
  Pkey rsa = generate_rsa();
  Pkey attacker_rsa = generate_rsa();
  Pkey ec256 = generate_ec("P-256");
  Pkey ec384 = generate_ec("P-384");
  Pkey ec521 = generate_ec("P-521");
  Pkey ed = generate_ed25519();
  Pkey attacker_ec = generate_ec("P-256");
  std::optional<JwkSet> public_set;
  std::optional<JwkSet> hmac_set;

  Keys() {
    json rsa_pinned = public_jwk(rsa.get(), "rsa-rs256");
    rsa_pinned["alg"] = "RS256";
    rsa_pinned["use"] = "sig";
    const json jwks = {{"keys",
                        {public_jwk(rsa.get(), "rsa-1"), rsa_pinned,
                         public_jwk(ec256.get(), "ec-256"), public_jwk(ec384.get(), "ec-384"),
                         public_jwk(ec521.get(), "ec-521"), public_jwk(ed.get(), "ed-1")}}};
    auto parsed = JwkSet::parse(jwks.dump(), KeySource::kPublicJwks);
    if (!parsed.ok()) throw std::runtime_error(parsed.error().to_string());
    public_set.emplace(std::move(parsed).value());
    const json oct = {{"kty", "oct"}, {"kid", "hmac-1"}, {"k", base64url_encode(kHmacSecret)}};
    auto hmac = JwkSet::parse(json{{"keys", json::array({oct})}}.dump(), KeySource::kHmacSecret);
    if (!hmac.ok()) throw std::runtime_error(hmac.error().to_string());
    hmac_set.emplace(std::move(hmac).value());
  }
};

inline const Keys& keys() {
  static const Keys k;
  return k;
}

inline JwtPolicy policy() {
  JwtPolicy p;
  p.issuer = "https://id.example.com";
  p.audiences = {"orders"};
  return p;
}

inline json claims() {
  return {{"iss", "https://id.example.com"},
          {"aud", "orders"},
          {"sub", "user-1"},
          {"exp", kNow + 300},
          {"iat", kNow - 10},
          {"scope", "orders:read orders:write"}};
}

inline json header(std::string_view alg, std::string_view kid) {
  json h = {{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}

// header.payload.signature with the signature made by `signer` over the
// encoded header and payload.
inline std::string token(const json& h, const json& c,
                         const std::function<std::string(std::string_view)>& signer) {
  const std::string input = encode_json(h) + "." + encode_json(c);
  return input + "." + base64url_encode(signer(input));
}

inline std::function<std::string(std::string_view)> by(JwsAlgorithm alg, EVP_PKEY* key) {
  return [alg, key](std::string_view input) { return sign(alg, key, input); };
}

inline std::function<std::string(std::string_view)> by_hmac(JwsAlgorithm alg, std::string secret) {
  return [alg, secret](std::string_view input) { return hmac(alg, secret, input); };
}

inline std::function<std::string(std::string_view)> fixed(std::string signature) {
  return [signature](std::string_view) { return signature; };
}

inline std::string rs256(const json& c = claims(), json h = header("RS256", "rsa-1")) {
  return token(h, c, by(JwsAlgorithm::kRS256, keys().rsa.get()));
}

}  // namespace archway::identity::testing
