#include "proxy/identity/jws_algorithm.h"

#include <array>
#include <utility>

namespace archway::identity {
namespace {

constexpr std::array<std::pair<std::string_view, JwsAlgorithm>, 13> kNames = {{
    {"RS256", JwsAlgorithm::kRS256},
    {"RS384", JwsAlgorithm::kRS384},
    {"RS512", JwsAlgorithm::kRS512},
    {"PS256", JwsAlgorithm::kPS256},
    {"PS384", JwsAlgorithm::kPS384},
    {"PS512", JwsAlgorithm::kPS512},
    {"ES256", JwsAlgorithm::kES256},
    {"ES384", JwsAlgorithm::kES384},
    {"ES512", JwsAlgorithm::kES512},
    {"EdDSA", JwsAlgorithm::kEdDSA},
    {"HS256", JwsAlgorithm::kHS256},
    {"HS384", JwsAlgorithm::kHS384},
    {"HS512", JwsAlgorithm::kHS512},
}};

}  // namespace

std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) {
  for (const auto& [text, alg] : kNames) {
    if (text == name) return alg;
  }
  return std::nullopt;
}

std::string_view jws_algorithm_name(JwsAlgorithm alg) {
  for (const auto& [text, a] : kNames) {
    if (a == alg) return text;
  }
  return "?";
}

KeyFamily key_family_for(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRS256:
    case JwsAlgorithm::kRS384:
    case JwsAlgorithm::kRS512:
    case JwsAlgorithm::kPS256:
    case JwsAlgorithm::kPS384:
    case JwsAlgorithm::kPS512:
      return KeyFamily::kRsa;
    case JwsAlgorithm::kES256:
      return KeyFamily::kEcP256;
    case JwsAlgorithm::kES384:
      return KeyFamily::kEcP384;
    case JwsAlgorithm::kES512:
      return KeyFamily::kEcP521;
    case JwsAlgorithm::kEdDSA:
      return KeyFamily::kEd25519;
    case JwsAlgorithm::kHS256:
    case JwsAlgorithm::kHS384:
    case JwsAlgorithm::kHS512:
      return KeyFamily::kHmac;
  }
  return KeyFamily::kHmac;
}

size_t hash_bytes(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRS256:
    case JwsAlgorithm::kPS256:
    case JwsAlgorithm::kES256:
    case JwsAlgorithm::kHS256:
      return 32;
    case JwsAlgorithm::kRS384:
    case JwsAlgorithm::kPS384:
    case JwsAlgorithm::kES384:
    case JwsAlgorithm::kHS384:
      return 48;
    case JwsAlgorithm::kRS512:
    case JwsAlgorithm::kPS512:
    case JwsAlgorithm::kES512:
    case JwsAlgorithm::kHS512:
      return 64;
    case JwsAlgorithm::kEdDSA:
      return 0;
  }
  return 0;
}

}  // namespace archway::identity
