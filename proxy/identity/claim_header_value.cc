#include "proxy/identity/claim_header_value.h"

#include <algorithm>

namespace archway::identity {
namespace {

bool is_header_safe(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7F;
  });
}

}  // namespace

std::optional<std::string> claim_header_value(const nlohmann::json& claims, std::string_view name) {
  if (!claims.is_object()) return std::nullopt;
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_string()) {
    const std::string& value = it->get_ref<const std::string&>();
    if (!is_header_safe(value)) return std::nullopt;
    return value;
  }
  if (it->is_boolean() || it->is_number()) return it->dump();
  return std::nullopt;
}

}  // namespace archway::identity
