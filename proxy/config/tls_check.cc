#include "proxy/config/tls_check.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace archway::config {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr size_t kMaxPemBytes = 1u << 24;

BioPtr memory_bio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate in `pem`, in order; an error when there is none or one
// does not parse. Leaves OpenSSL's per-thread error queue empty either way,
// so errors never leak into an unrelated later call.
Result<std::vector<CertificatePtr>> read_certificates(std::string_view pem) {
  std::vector<CertificatePtr> certificates;
  BioPtr bio = pem.size() <= kMaxPemBytes ? memory_bio(pem) : nullptr;
  bool ok = bio != nullptr;
  while (ok) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) {
      // End of input after at least one certificate is success; anything
      // else (garbage, a truncated block) is failure.
      const unsigned long err = ERR_peek_last_error();
      ok = !certificates.empty() && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
      break;
    }
    certificates.emplace_back(cert, X509_free);
  }
  ERR_clear_error();
  if (!ok) return invalid("", "invalid PEM certificate");
  return certificates;
}

}  // namespace

Result<CertificateChain> parse_certificate_and_key(std::string_view certificate_pem,
                                                   std::string_view private_key_pem) {
  auto certificates = read_certificates(certificate_pem);
  if (!certificates.ok()) return invalid("certificate", certificates.error().message);
  if (private_key_pem.size() > kMaxPemBytes)
    return invalid("privateKey", "invalid PEM private key");
  BioPtr bio = memory_bio(private_key_pem);
  // An empty passphrase callback result: encrypted keys are rejected, never prompted for.
  pem_password_cb* no_password = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* raw_key =
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr) : nullptr;
  if (raw_key == nullptr) {
    ERR_clear_error();
    return invalid("privateKey", "invalid PEM private key");
  }
  CertificateChain chain;
  chain.key = PrivateKeyPtr(raw_key, EVP_PKEY_free);
  chain.leaf = certificates->front();
  chain.intermediates.assign(certificates->begin() + 1, certificates->end());
  const bool match = X509_check_private_key(chain.leaf.get(), chain.key.get()) == 1;
  ERR_clear_error();
  if (!match) return invalid("privateKey", "does not match the certificate");
  return chain;
}

Result<std::vector<CertificatePtr>> parse_ca_bundle(std::string_view pem) {
  return read_certificates(pem);
}

}  // namespace archway::config
