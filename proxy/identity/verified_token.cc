#include "proxy/identity/verified_token.h"

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

std::optional<std::string> VerifiedToken::claim_as_header_value(std::string_view name) const {
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

bool VerifiedToken::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace archway::identity
