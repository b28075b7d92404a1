#pragma once
// Value checks shared by the policy validators (internal to policies/).
// Each returns an error naming `path`, or success.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/config/json_decoder.h"

namespace archway::config {

// An enum's JSON spellings, in the order listed in errors.
template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E, size_t N>
[[nodiscard]] std::string_view enum_name(const EnumName<E> (&names)[N], E value) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "";
}

// Reads an enum by its spelling; another string fails with "must be one of ...".
template <typename E, size_t N>
void get_enum_named(Decoder& decoder, ObjectReader& reader, std::string_view key, E& out,
                    const EnumName<E> (&names)[N]) {
  std::optional<std::string> text;
  reader.get(key, text);
  if (!text || decoder.failed()) return;
  std::string choices;
  for (const auto& entry : names) {
    if (entry.name == *text) {
      out = entry.value;
      return;
    }
    choices += (choices.empty() ? "" : ", ") + std::string(entry.name);
  }
  decoder.fail(reader.field(key), "must be one of " + choices);
}

[[nodiscard]] std::string ascii_lower(std::string_view text);

// Reads a string array and lower-cases each entry: header names and origins
// are case-insensitive, and the structs promise one spelling.
void get_lower_strings(ObjectReader& reader, std::string_view key, std::vector<std::string>& out);

[[nodiscard]] Result<void> check_range(uint64_t value, const std::string& path, uint64_t min,
                                       uint64_t max);
[[nodiscard]] Result<void> check_count(size_t count, const std::string& path, size_t min,
                                       size_t max);
[[nodiscard]] Result<void> check_distinct(const std::vector<std::string>& values,
                                          const std::string& path);
// RFC 9110 token in lower case (the decoder lowers what it reads).
[[nodiscard]] Result<void> check_lower_header_name(std::string_view name, const std::string& path);
// Each a lower-case header name, distinct, at most `max`.
[[nodiscard]] Result<void> check_header_names(const std::vector<std::string>& names,
                                              const std::string& path, size_t max);
// Non-empty (when `required`), at most `max_len` bytes, no control characters.
[[nodiscard]] Result<void> check_text(std::string_view text, const std::string& path,
                                      size_t max_len, bool required = true);
// "http://" or "https://", a host, no whitespace or control characters.
[[nodiscard]] Result<void> check_url(std::string_view url, const std::string& path);
// "*" may only stand alone in a list.
[[nodiscard]] Result<void> check_star_alone(const std::vector<std::string>& values,
                                            const std::string& path);

}  // namespace archway::config
