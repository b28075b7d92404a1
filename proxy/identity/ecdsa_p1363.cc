#include "proxy/identity/ecdsa_p1363.h"

#include <algorithm>

#include "proxy/identity/openssl_ptr.h"

namespace archway::identity {
namespace {

// Curve orders from SEC 2 (FIPS 186-4 D.1.2), padded to the field length;
// tests/proxy/identity compares them with OpenSSL's.
constexpr unsigned char kOrderP256[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};
constexpr unsigned char kOrderP384[48] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC7, 0x63, 0x4D, 0x81, 0xF4, 0x37, 0x2D, 0xDF,
    0x58, 0x1A, 0x0D, 0xB2, 0x48, 0xB0, 0xA7, 0x7A, 0xEC, 0xEC, 0x19, 0x6A, 0xCC, 0xC5, 0x29, 0x73};
constexpr unsigned char kOrderP521[66] = {
    0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFA, 0x51, 0x86, 0x87, 0x83, 0xBF, 0x2F, 0x96, 0x6B,
    0x7F, 0xCC, 0x01, 0x48, 0xF7, 0x09, 0xA5, 0xD0, 0x3B, 0xB5, 0xC9, 0xB8, 0x89, 0x9C,
    0x47, 0xAE, 0xBB, 0x6F, 0xB7, 0x1E, 0x91, 0x38, 0x64, 0x09};

std::string_view as_view(const unsigned char* bytes, size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

// 0 < v < n, for v and n big-endian of the same length.
bool in_range(std::string_view v, std::string_view n) {
  const bool zero = std::all_of(v.begin(), v.end(), [](char c) { return c == 0; });
  if (zero) return false;
  return std::lexicographical_compare(v.begin(), v.end(), n.begin(), n.end(), [](char a, char b) {
    return static_cast<unsigned char>(a) < static_cast<unsigned char>(b);
  });
}

}  // namespace

std::string_view curve_order(KeyFamily curve) {
  switch (curve) {
    case KeyFamily::kEcP256:
      return as_view(kOrderP256, sizeof kOrderP256);
    case KeyFamily::kEcP384:
      return as_view(kOrderP384, sizeof kOrderP384);
    case KeyFamily::kEcP521:
      return as_view(kOrderP521, sizeof kOrderP521);
    default:
      return {};
  }
}

std::string p1363_to_der(KeyFamily curve, std::string_view signature) {
  const std::string_view n = curve_order(curve);
  if (n.empty() || signature.size() != 2 * n.size()) return {};
  const std::string_view r = signature.substr(0, n.size());
  const std::string_view s = signature.substr(n.size());
  if (!in_range(r, n) || !in_range(s, n)) return {};

  OpenSslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  OpenSslPtr<BIGNUM> r_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(r.data()),
                                    static_cast<int>(r.size()), nullptr));
  OpenSslPtr<BIGNUM> s_bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(s.data()),
                                    static_cast<int>(s.size()), nullptr));
  if (!sig || !r_bn || !s_bn || ECDSA_SIG_set0(sig.get(), r_bn.get(), s_bn.get()) != 1) return {};
  (void)r_bn.release();  // owned by sig now
  (void)s_bn.release();
  const int der_size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (der_size <= 0) return {};
  std::string der(static_cast<size_t>(der_size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != der_size) return {};
  return der;
}

}  // namespace archway::identity
