#pragma once
// Strict, path-tracking reads from a JSON tree into typed fields, shared by
// every part of the snapshot parser. The first error wins and later reads
// become no-ops, so a decode function reads straight through and the caller
// checks once; the error names the field ("listeners[0].port").
//
// Strictness is the point (DESIGN.md §1: every field is parsed, typed and
// validated): unknown keys, wrong JSON types and out-of-range integers are
// errors, never ignored or coerced.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::config {

using Json = nlohmann::json;

// "a" + "b" → "a.b"; "" + "b" → "b".
[[nodiscard]] std::string join_field(std::string_view base, std::string_view key);
// "a" + 3 → "a[3]".
[[nodiscard]] std::string index_field(std::string_view base, size_t index);

// Holds the first error of one decode. Not thread-safe; one per parse.
class Decoder {
 public:
  [[nodiscard]] bool failed() const { return error_.has_value(); }
  void fail(std::string field, std::string message);
  [[nodiscard]] const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

// One JSON object being decoded. The constructor checks the node is an object
// and that every key is in `allowed`; getters leave `out` untouched when the
// key is absent (so struct defaults apply) and fail on a present key of the
// wrong type. `json` must outlive the reader.
class ObjectReader {
 public:
  ObjectReader(Decoder& decoder, const Json& json, std::string path,
               std::initializer_list<std::string_view> allowed);

  // Absent key: fails with "is required" when `required`.
  void get(std::string_view key, std::string& out, bool required = false);
  void get(std::string_view key, std::optional<std::string>& out);
  void get(std::string_view key, bool& out);
  void get(std::string_view key, uint16_t& out, uint64_t min, uint64_t max);
  void get(std::string_view key, std::optional<uint16_t>& out, uint64_t min, uint64_t max);
  void get(std::string_view key, uint32_t& out, uint64_t min, uint64_t max);
  void get(std::string_view key, uint64_t& out, uint64_t min, uint64_t max);
  void get_duration(std::string_view key, Duration& out);
  void get_duration(std::string_view key, std::optional<Duration>& out);
  void get_strings(std::string_view key, std::vector<std::string>& out);

  // The child node, or nullptr when absent or after a failure.
  [[nodiscard]] const Json* child(std::string_view key) const;
  // Array child: calls each(element, "path.key[i]") per element; fails if
  // the key holds something other than an array.
  void each(std::string_view key, const std::function<void(const Json&, const std::string&)>& each);
  [[nodiscard]] std::string field(std::string_view key) const { return join_field(path_, key); }
  [[nodiscard]] bool ok() const { return ok_ && !decoder_.failed(); }

 private:
  // Present child of the given type, or nullptr (failing when of another type).
  const Json* typed(std::string_view key, Json::value_t type, const char* expected);
  bool integer(std::string_view key, uint64_t min, uint64_t max, uint64_t& out);

  Decoder& decoder_;
  const Json* json_ = nullptr;
  std::string path_;
  bool ok_ = false;
};

}  // namespace archway::config
