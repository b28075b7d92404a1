#include "controller/compile/tls_secret.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "common/base64.h"
#include "controller/compile/json_access.h"

namespace archway::controller::compile {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

// Empty string when the pair is usable, else why not.
std::string check_pem_pair(const std::string& cert_pem, const std::string& key_pem) {
  std::unique_ptr<BIO, BioFree> cert_bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return "tls.crt is not a PEM certificate";
  std::unique_ptr<BIO, BioFree> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return "tls.key is not a PEM private key";
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return "tls.key does not match the certificate in tls.crt";
  }
  return {};
}

}  // namespace

SecretOutcome load_tls_secret(const ClusterState& state, const std::string& ns,
                              const std::string& name) {
  SecretOutcome out;
  const std::string full = ns + "/" + name;
  auto it = state.secrets.find(ObjectKey{ns, name});
  if (it == state.secrets.end()) {
    out.problem = {"SecretNotFound", "Secret " + full + " not found"};
    return out;
  }
  const Json& secret = it->second;
  if (str(secret, "type") != "kubernetes.io/tls") {
    out.problem = {"InvalidSecret", "Secret " + full + " is not of type kubernetes.io/tls"};
    return out;
  }
  const Json& data = object(secret, "data");
  const std::string crt_b64 = str(data, "tls.crt");
  const std::string key_b64 = str(data, "tls.key");
  if (crt_b64.empty() || key_b64.empty()) {
    out.problem = {"InvalidSecret", "Secret " + full + " lacks tls.crt or tls.key"};
    return out;
  }
  auto crt = base64_decode(crt_b64);
  auto key = base64_decode(key_b64);
  if (!crt || !key) {
    out.problem = {"InvalidSecret", "Secret " + full + " holds invalid base64"};
    return out;
  }
  if (std::string why = check_pem_pair(*crt, *key); !why.empty()) {
    out.problem = {"InvalidSecret", "Secret " + full + ": " + why};
    return out;
  }
  out.ok = true;
  out.certificate = {*std::move(crt), *std::move(key)};
  return out;
}

}  // namespace archway::controller::compile
