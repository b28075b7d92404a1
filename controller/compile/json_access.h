#pragma once
// Null-safe reads of Kubernetes objects as the API server sent them. The
// informer cache holds raw JSON, so a missing or mistyped field must read as
// "absent" rather than throw: compile never throws on user input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace archway::controller::compile {

using Json = nlohmann::json;

// The member `key` of `j` when `j` is an object holding a non-null value there.
[[nodiscard]] inline const Json* member(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

[[nodiscard]] inline std::string str(const Json& j, std::string_view key,
                                     std::string fallback = {}) {
  const Json* v = member(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

[[nodiscard]] inline std::optional<int64_t> integer(const Json& j, std::string_view key) {
  const Json* v = member(j, key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

// An array member, or an empty array (so callers can range-for directly).
[[nodiscard]] inline const Json& array(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::array();  // immutable: safe to share
  const Json* v = member(j, key);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

// An object member, or an empty object.
[[nodiscard]] inline const Json& object(const Json& j, std::string_view key) {
  static const Json kEmpty = Json::object();
  const Json* v = member(j, key);
  return v != nullptr && v->is_object() ? *v : kEmpty;
}

[[nodiscard]] inline std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

[[nodiscard]] inline std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace archway::controller::compile
