#include "proxy/identity/signature.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <string>

#include "proxy/identity/ecdsa_p1363.h"

namespace archway::identity {
namespace {

const EVP_MD* digest_for(JwsAlgorithm alg) {
  switch (hash_bytes(alg)) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    case 64:
      return EVP_sha512();
    default:
      return nullptr;  // EdDSA hashes internally
  }
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool is_pss(JwsAlgorithm alg) {
  return alg == JwsAlgorithm::kPS256 || alg == JwsAlgorithm::kPS384 || alg == JwsAlgorithm::kPS512;
}

bool verify_with_pkey(JwsAlgorithm alg, EVP_PKEY* pkey, std::string_view input,
                      std::string_view signature) {
  OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(alg), nullptr, pkey) != 1) {
    return false;
  }
  const KeyFamily family = key_family_for(alg);
  if (family == KeyFamily::kRsa) {
    const int padding = is_pss(alg) ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, padding) != 1) return false;
    if (is_pss(alg)) {
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
      if (EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest_for(alg)) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(hash_bytes(alg))) != 1) {
        return false;
      }
    }
  }
  return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input),
                          input.size()) == 1;
}

bool verify_hmac(JwsAlgorithm alg, const Jwk& key, std::string_view input,
                 std::string_view signature) {
  if (signature.size() != hash_bytes(alg)) return false;
  const std::string& secret = key.hmac_secret.bytes();
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int tag_size = 0;
  if (HMAC(digest_for(alg), secret.data(), static_cast<int>(secret.size()), bytes(input),
           input.size(), tag, &tag_size) == nullptr ||
      tag_size != signature.size()) {
    return false;
  }
  return CRYPTO_memcmp(tag, signature.data(), tag_size) == 0;
}

}  // namespace

bool verify_signature(JwsAlgorithm alg, const Jwk& key, std::string_view signing_input,
                      std::string_view signature) {
  if (!key.verifies(alg)) return false;
  switch (key.family) {
    case KeyFamily::kHmac:
      return verify_hmac(alg, key, signing_input, signature);
    case KeyFamily::kRsa:
      // RFC 8017 §8.1.2/§8.2.2 step 1: the signature is exactly k bytes.
      if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.public_key.get()))) {
        return false;
      }
      return verify_with_pkey(alg, key.public_key.get(), signing_input, signature);
    case KeyFamily::kEcP256:
    case KeyFamily::kEcP384:
    case KeyFamily::kEcP521: {
      const std::string der = p1363_to_der(key.family, signature);
      if (der.empty()) return false;
      return verify_with_pkey(alg, key.public_key.get(), signing_input, der);
    }
    case KeyFamily::kEd25519:
      if (signature.size() != 64) return false;
      return verify_with_pkey(alg, key.public_key.get(), signing_input, signature);
  }
  return false;
}

}  // namespace archway::identity
