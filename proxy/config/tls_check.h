#pragma once
// TLS material in a snapshot is parsed with OpenSSL once, at validation, so
// a bad Secret is a NACK naming the virtual host rather than a failed
// handshake later, and the TLS contexts are built from the parsed objects
// (ValidatedSnapshot carries them) instead of parsing the PEM again. Errors
// carry a field relative to the TLS object ("certificate", "privateKey");
// the caller prefixes it.

#include <openssl/types.h>

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace archway::config {

// Shared, immutable once parsed: OpenSSL's SSL_CTX_use_* and
// X509_STORE_add_cert take their own references, so a context outlives these.
using CertificatePtr = std::shared_ptr<X509>;
using PrivateKeyPtr = std::shared_ptr<EVP_PKEY>;

struct CertificateChain {
  CertificatePtr leaf;
  std::vector<CertificatePtr> intermediates;  // in the order the PEM lists them
  PrivateKeyPtr key;                          // matches the leaf
};

// certificate: one or more PEM certificates (leaf first); key: a PEM private
// key that matches the leaf. Encrypted keys are refused, never prompted for.
[[nodiscard]] Result<CertificateChain> parse_certificate_and_key(std::string_view certificate_pem,
                                                                 std::string_view private_key_pem);
// One or more PEM certificates (trust anchors).
[[nodiscard]] Result<std::vector<CertificatePtr>> parse_ca_bundle(std::string_view pem);

}  // namespace archway::config
