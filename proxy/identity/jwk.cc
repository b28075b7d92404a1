#include "proxy/identity/jwk.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "common/base64.h"

namespace archway::identity {
namespace {

// RFC 7517 §9.2 names these; a public JWKS carrying them leaks a private key.
constexpr std::array<std::string_view, 7> kPrivateMembers = {"d",  "p",  "q",  "dp",
                                                             "dq", "qi", "oth"};

// A modulus under 2048 bits is refused (RFC 7518 §3.3); above 16384 bits a
// single verification costs enough to be a denial of service.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;
// e is 65537 in practice; a huge exponent only makes verification slow.
constexpr size_t kMaxRsaExponentBytes = 8;

JwkParse skip(std::string reason) { return JwkParse{std::nullopt, std::move(reason), false}; }

// A member that must be a string if present; nullopt when absent, and
// `bad` set when present with another type.
std::optional<std::string> optional_string(const nlohmann::json& jwk, const char* name, bool& bad) {
  const auto it = jwk.find(name);
  if (it == jwk.end()) return std::nullopt;
  if (!it->is_string()) {
    bad = true;
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<std::string> decoded_member(const nlohmann::json& jwk, const char* name) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return base64url_decode(it->get_ref<const std::string&>());
}

OpenSslPtr<EVP_PKEY> key_from_params(const char* type, OSSL_PARAM_BLD* builder) {
  OpenSslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder));
  OpenSslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  return OpenSslPtr<EVP_PKEY>(raw);
}

JwkParse rsa_key(const nlohmann::json& jwk, Jwk key) {
  const auto n = decoded_member(jwk, "n");
  const auto e = decoded_member(jwk, "e");
  if (!n || !e || n->empty() || e->empty()) return skip("RSA key without valid base64url n and e");
  OpenSslPtr<BIGNUM> modulus(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                                       static_cast<int>(n->size()), nullptr));
  OpenSslPtr<BIGNUM> exponent(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                                        static_cast<int>(e->size()), nullptr));
  if (!modulus || !exponent) return skip("RSA key: out of memory");
  const int bits = BN_num_bits(modulus.get());
  if (bits < kMinRsaBits) return skip("RSA modulus shorter than 2048 bits");
  if (bits > kMaxRsaBits) return skip("RSA modulus longer than 16384 bits");
  if (static_cast<size_t>(BN_num_bytes(exponent.get())) > kMaxRsaExponentBytes ||
      !BN_is_odd(exponent.get()) || BN_is_one(exponent.get())) {
    return skip("RSA exponent not an odd number between 3 and 2^64");
  }
  OpenSslPtr<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return skip("RSA key: out of memory");
  }
  key.public_key = key_from_params("RSA", builder.get());
  if (!key.public_key) return skip("RSA key refused by OpenSSL");
  key.family = KeyFamily::kRsa;
  return JwkParse{std::move(key), "", false};
}

struct Curve {
  std::string_view jwk_name;
  const char* openssl_name;
  size_t field_bytes;
  KeyFamily family;
};
constexpr std::array<Curve, 3> kCurves = {{
    {"P-256", "prime256v1", 32, KeyFamily::kEcP256},
    {"P-384", "secp384r1", 48, KeyFamily::kEcP384},
    {"P-521", "secp521r1", 66, KeyFamily::kEcP521},
}};

JwkParse ec_key(const nlohmann::json& jwk, Jwk key) {
  const Curve* curve = nullptr;
  for (const Curve& c : kCurves) {
    if (c.jwk_name == key.crv) curve = &c;
  }
  if (curve == nullptr) return skip("EC curve \"" + key.crv + "\" not supported");
  const auto x = decoded_member(jwk, "x");
  const auto y = decoded_member(jwk, "y");
  // RFC 7518 §6.2.1.2-3: x and y are exactly the field's length.
  if (!x || !y || x->size() != curve->field_bytes || y->size() != curve->field_bytes) {
    return skip("EC key without base64url x and y of the curve's length");
  }
  const std::string point = std::string(1, '\x04') + *x + *y;  // SEC 1 uncompressed
  OpenSslPtr<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      curve->openssl_name, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return skip("EC key: out of memory");
  }
  key.public_key = key_from_params("EC", builder.get());
  if (!key.public_key) return skip("EC point not on the curve");
  // Import decodes the point; the explicit check (on the curve, not the
  // point at infinity, coordinates below p) is what we rely on, not a
  // side effect of the import.
  OpenSslPtr<EVP_PKEY_CTX> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.public_key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return skip("EC point not on the curve");
  key.family = curve->family;
  return JwkParse{std::move(key), "", false};
}

JwkParse okp_key(const nlohmann::json& jwk, Jwk key) {
  if (key.crv != "Ed25519") return skip("OKP curve \"" + key.crv + "\" not supported");
  const auto x = decoded_member(jwk, "x");
  if (!x || x->size() != 32) return skip("Ed25519 key without a 32-byte base64url x");
  key.public_key.reset(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  if (!key.public_key) return skip("Ed25519 key refused by OpenSSL");
  key.family = KeyFamily::kEd25519;
  return JwkParse{std::move(key), "", false};
}

JwkParse oct_key(const nlohmann::json& jwk, Jwk key) {
  auto k = decoded_member(jwk, "k");
  // 32 bytes is the least any HS algorithm accepts (RFC 7518 §3.2).
  if (!k || k->size() < 32) return skip("oct key without a base64url k of at least 32 bytes");
  key.hmac_secret = SecretBytes(std::move(*k));
  key.family = KeyFamily::kHmac;
  return JwkParse{std::move(key), "", false};
}

}  // namespace

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
  }
  return *this;
}

SecretBytes::~SecretBytes() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

bool Jwk::verifies(JwsAlgorithm token_alg) const {
  if (key_family_for(token_alg) != family) return false;
  if (alg && *alg != token_alg) return false;
  if (family == KeyFamily::kHmac) return hmac_secret.bytes().size() >= hash_bytes(token_alg);
  return public_key != nullptr;
}

JwkParse parse_jwk(const nlohmann::json& jwk, KeySource source) {
  if (!jwk.is_object()) return skip("not a JSON object");
  bool bad_type = false;
  Jwk key;
  const auto kty = optional_string(jwk, "kty", bad_type);
  const auto kid = optional_string(jwk, "kid", bad_type);
  const auto crv = optional_string(jwk, "crv", bad_type);
  const auto alg = optional_string(jwk, "alg", bad_type);
  const auto use = optional_string(jwk, "use", bad_type);
  if (bad_type || !kty) return skip("kty missing, or kty/kid/crv/alg/use not a string");
  key.kty = *kty;
  key.kid = kid.value_or("");
  key.crv = crv.value_or("");

  if (key.kty != "oct") {
    for (const std::string_view member : kPrivateMembers) {
      if (jwk.contains(member)) {
        return JwkParse{std::nullopt, "holds private key member \"" + std::string(member) + "\"",
                        true};
      }
    }
  }
  if (use && *use != "sig") return skip("use \"" + *use + "\" is not sig");
  if (const auto ops = jwk.find("key_ops"); ops != jwk.end()) {
    if (!ops->is_array() || std::find(ops->begin(), ops->end(), "verify") == ops->end()) {
      return skip("key_ops does not include verify");
    }
  }
  if (alg) {
    key.alg = parse_jws_algorithm(*alg);
    if (!key.alg) return skip("alg \"" + *alg + "\" not supported");
  }

  if (key.kty == "RSA") return rsa_key(jwk, std::move(key));
  if (key.kty == "EC") return ec_key(jwk, std::move(key));
  if (key.kty == "OKP") return okp_key(jwk, std::move(key));
  if (key.kty == "oct") {
    if (source != KeySource::kHmacSecret) return skip("oct key outside a key set declared HMAC");
    return oct_key(jwk, std::move(key));
  }
  return skip("kty \"" + key.kty + "\" not supported");
}

}  // namespace archway::identity
