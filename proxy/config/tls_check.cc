#include "proxy/config/tls_check.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace archway::config {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

BioPtr memory_bio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Reads every certificate in `pem`; the first one in `leaf`. False when there
// is none or one does not parse. Leaves OpenSSL's per-thread error queue
// empty either way, so errors never leak into an unrelated later call.
bool read_certificates(std::string_view pem, X509Ptr* leaf) {
  if (pem.size() > (1u << 24)) return false;
  BioPtr bio = memory_bio(pem);
  int count = 0;
  bool ok = bio != nullptr;
  while (ok) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      // End of input after at least one certificate is success; anything
      // else (garbage, a truncated block) is failure.
      const unsigned long err = ERR_peek_last_error();
      ok = count > 0 && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
      break;
    }
    if (count++ == 0 && leaf != nullptr) *leaf = std::move(cert);
  }
  ERR_clear_error();
  return ok;
}

}  // namespace

Result<void> check_certificate_and_key(std::string_view certificate_pem,
                                       std::string_view private_key_pem) {
  X509Ptr leaf;
  if (!read_certificates(certificate_pem, &leaf)) {
    return invalid("certificate", "invalid PEM certificate");
  }
  if (private_key_pem.size() > (1u << 24)) return invalid("privateKey", "invalid PEM private key");
  BioPtr bio = memory_bio(private_key_pem);
  // An empty passphrase callback result: encrypted keys are rejected, never prompted for.
  pem_password_cb* no_password = [](char*, int, int, void*) { return 0; };
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    return invalid("privateKey", "invalid PEM private key");
  }
  const bool match = X509_check_private_key(leaf.get(), key.get()) == 1;
  ERR_clear_error();
  if (!match) return invalid("privateKey", "does not match the certificate");
  return {};
}

Result<void> check_ca_bundle(std::string_view pem) {
  if (!read_certificates(pem, nullptr)) return invalid("", "invalid PEM certificate");
  return {};
}

}  // namespace archway::config
