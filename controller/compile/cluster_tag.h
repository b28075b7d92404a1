#pragma once
// A cluster of its own for a rule with its own balancing or health check
// (the counts it balances on belong to the endpoints of one policy), named
// after the Service port's plus a tag of the policy's canonical JSON, so
// rules with the same policy to the same Service still share one
// ("<base>/lb-<tag>"). Shared by APIRoute rules and imported Ingress
// annotations.

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace archway::controller::compile {

[[nodiscard]] inline std::string tagged_cluster_name(const std::string& base, std::string_view kind,
                                                     const nlohmann::json& canonical) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: stable across builds and replicas
  for (const char c : canonical.dump()) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag(8, '0');
  for (size_t i = 0; i < tag.size(); ++i) tag[i] = kHex[(h >> (60 - 4 * i)) & 0xf];
  return base + "/" + std::string(kind) + "-" + tag;
}

}  // namespace archway::controller::compile
