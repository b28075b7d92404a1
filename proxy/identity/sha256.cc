#include "proxy/identity/sha256.h"

#include <openssl/evp.h>

#include "proxy/identity/openssl_ptr.h"

namespace archway::identity {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A digest context per thread, reused call after call: EVP_MD_CTX is an
// opaque heap object in OpenSSL 3 and cannot live on the stack, and making
// one per digest costs two allocations (the context and the provider's
// state). It carries nothing from one digest to the next: every use starts
// with an init that resets it.
EVP_MD_CTX* scratch_context() {
  thread_local const OpenSslPtr<EVP_MD_CTX> context(EVP_MD_CTX_new());
  return context.get();
}

}  // namespace

Sha256Hasher::Sha256Hasher() : md_(EVP_MD_fetch(nullptr, "SHA2-256", nullptr)) {}

Sha256Hasher::~Sha256Hasher() { EVP_MD_free(md_); }

Sha256Digest Sha256Hasher::digest(std::string_view first, std::string_view second) const {
  Sha256Digest out{};
  EVP_MD_CTX* ctx = scratch_context();
  unsigned int length = 0;
  const bool ok = md_ != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx, md_, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, first.data(), first.size()) == 1 &&
                  EVP_DigestUpdate(ctx, second.data(), second.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, out.data(), &length) == 1;
  if (!ok) out.fill(0);
  return out;
}

Sha256Digest sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  // One-shot EVP_Digest cannot fail for SHA-256 on in-memory data short of
  // an allocation failure; a zero digest then matches no stored digest.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    digest.fill(0);
  }
  return digest;
}

std::string sha256_hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const Sha256Digest digest = sha256(data);
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::optional<Sha256Digest> sha256_from_hex(std::string_view hex) {
  Sha256Digest digest{};
  if (hex.size() != digest.size() * 2) return std::nullopt;
  for (size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return digest;
}

}  // namespace archway::identity
