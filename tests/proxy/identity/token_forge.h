#pragma once
// Test-only: keys generated with OpenSSL, their public JWKs, and tokens
// signed (or deliberately mis-signed) by them. Nothing here is used by the
// code under test.

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "proxy/identity/jws_algorithm.h"
#include "proxy/identity/openssl_ptr.h"

namespace archway::identity::testing {

using Pkey = OpenSslPtr<EVP_PKEY>;

inline Pkey generate_rsa(size_t bits = 2048) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}
inline Pkey generate_ec(const char* curve) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}
inline Pkey generate_ed25519() { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

inline std::string bn_param(EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(name);
  OpenSslPtr<BIGNUM> owned(bn);
  std::string out(pad_to > 0 ? pad_to : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

inline size_t ec_field_bytes(EVP_PKEY* key) { return (EVP_PKEY_get_bits(key) + 7) / 8; }

// The public JWK of `key` (RSA, EC or Ed25519).
inline nlohmann::json public_jwk(EVP_PKEY* key, std::string_view kid) {
  nlohmann::json jwk;
  if (!kid.empty()) jwk["kid"] = kid;
  if (EVP_PKEY_is_a(key, "RSA")) {
    jwk["kty"] = "RSA";
    jwk["n"] = base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = base64url_encode(bn_param(key, OSSL_PKEY_PARAM_RSA_E));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    const size_t field = ec_field_bytes(key);
    jwk["kty"] = "EC";
    jwk["crv"] = field == 32 ? "P-256" : field == 48 ? "P-384" : "P-521";
    jwk["x"] = base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, static_cast<int>(field)));
    jwk["y"] = base64url_encode(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, static_cast<int>(field)));
  } else {
    std::string x(32, '\0');
    size_t size = x.size();
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(x.data()), &size);
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    jwk["x"] = base64url_encode(x);
  }
  return jwk;
}

inline std::string public_key_pem(EVP_PKEY* key) {
  BIO* raw = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(raw, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(raw, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(raw);
  return pem;
}

inline std::string public_key_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(key, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

inline const EVP_MD* md_for(JwsAlgorithm alg) {
  switch (hash_bytes(alg)) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    case 64:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

inline std::string hmac(JwsAlgorithm alg, std::string_view secret, std::string_view input) {
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(md_for(alg), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), tag, &size);
  return std::string(reinterpret_cast<char*>(tag), size);
}

// The DER ECDSA signature OpenSSL produces, before conversion to r‖s.
inline std::string sign_der(JwsAlgorithm alg, EVP_PKEY* key, std::string_view input) {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx.get(), &pctx, md_for(alg), nullptr, key);
  if (key_family_for(alg) == KeyFamily::kRsa) {
    const bool pss =
        alg == JwsAlgorithm::kPS256 || alg == JwsAlgorithm::kPS384 || alg == JwsAlgorithm::kPS512;
    EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (pss) {
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_for(alg));
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(hash_bytes(alg)));
    }
  }
  size_t size = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx.get(), nullptr, &size, in, input.size());
  std::string sig(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size, in,
                     input.size()) != 1) {
    throw std::runtime_error("sign failed");
  }
  sig.resize(size);
  return sig;
}

// The JWS signature: r‖s for ECDSA, as is otherwise.
inline std::string sign(JwsAlgorithm alg, EVP_PKEY* key, std::string_view input) {
  std::string sig = sign_der(alg, key, input);
  if (!EVP_PKEY_is_a(key, "EC")) return sig;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  OpenSslPtr<ECDSA_SIG> parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  const int field = static_cast<int>(ec_field_bytes(key));
  std::string out(2 * field, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(parsed.get()), o, field);
  BN_bn2binpad(ECDSA_SIG_get0_s(parsed.get()), o + field, field);
  return out;
}

inline std::string encode_json(const nlohmann::json& j) { return base64url_encode(j.dump()); }

}  // namespace archway::identity::testing
