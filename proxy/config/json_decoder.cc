#include "proxy/config/json_decoder.h"

#include <algorithm>
#include <utility>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {

std::string join_field(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out(base);
  out += '.';
  out += key;
  return out;
}

std::string index_field(std::string_view base, size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

void Decoder::fail(std::string field, std::string message) {
  if (!error_) error_ = invalid(std::move(field), std::move(message));
}

ObjectReader::ObjectReader(Decoder& decoder, const Json& json, std::string path,
                           std::initializer_list<std::string_view> allowed)
    : decoder_(decoder), json_(&json), path_(std::move(path)) {
  if (decoder_.failed()) return;
  if (!json.is_object()) {
    decoder_.fail(path_, "expected object");
    return;
  }
  // Keys come sorted (nlohmann::json uses std::map), so the first unknown
  // key reported is deterministic.
  for (const auto& [key, value] : json.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      decoder_.fail(join_field(path_, key), "unknown field");
      return;
    }
  }
  ok_ = true;
}

const Json* ObjectReader::child(std::string_view key) const {
  if (!ok()) return nullptr;
  auto it = json_->find(key);
  return it == json_->end() ? nullptr : &*it;
}

const Json* ObjectReader::typed(std::string_view key, Json::value_t type, const char* expected) {
  const Json* node = child(key);
  if (node == nullptr) return nullptr;
  const bool matches = type == Json::value_t::number_integer
                           ? node->is_number_integer()
                           : node->type() == type;
  if (!matches) {
    decoder_.fail(field(key), std::string("expected ") + expected);
    return nullptr;
  }
  return node;
}

void ObjectReader::get(std::string_view key, std::string& out, bool required) {
  if (const Json* node = typed(key, Json::value_t::string, "string")) {
    out = node->get<std::string>();
  } else if (required && ok() && child(key) == nullptr) {
    decoder_.fail(field(key), "is required");
  }
}

void ObjectReader::get(std::string_view key, std::optional<std::string>& out) {
  if (const Json* node = typed(key, Json::value_t::string, "string")) {
    out = node->get<std::string>();
  }
}

void ObjectReader::get(std::string_view key, bool& out) {
  if (const Json* node = typed(key, Json::value_t::boolean, "boolean")) out = node->get<bool>();
}

bool ObjectReader::integer(std::string_view key, uint64_t min, uint64_t max, uint64_t& out) {
  const Json* node = typed(key, Json::value_t::number_integer, "integer");
  if (node == nullptr) return false;
  // A negative number is number_integer; a large positive one number_unsigned.
  const bool negative = node->is_number_integer() && !node->is_number_unsigned() &&
                        node->get<int64_t>() < 0;
  const uint64_t value = negative ? 0 : node->get<uint64_t>();
  if (negative || value < min || value > max) {
    decoder_.fail(field(key), "must be between " + std::to_string(min) + " and " +
                                  std::to_string(max));
    return false;
  }
  out = value;
  return true;
}

void ObjectReader::get(std::string_view key, uint16_t& out, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  if (integer(key, min, max, value)) out = static_cast<uint16_t>(value);
}

void ObjectReader::get(std::string_view key, std::optional<uint16_t>& out, uint64_t min,
                       uint64_t max) {
  uint64_t value = 0;
  if (integer(key, min, max, value)) out = static_cast<uint16_t>(value);
}

void ObjectReader::get(std::string_view key, uint32_t& out, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  if (integer(key, min, max, value)) out = static_cast<uint32_t>(value);
}

void ObjectReader::get(std::string_view key, uint64_t& out, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  if (integer(key, min, max, value)) out = value;
}

void ObjectReader::get_duration(std::string_view key, Duration& out) {
  std::optional<Duration> value;
  get_duration(key, value);
  if (value) out = *value;
}

void ObjectReader::get_duration(std::string_view key, std::optional<Duration>& out) {
  const Json* node = typed(key, Json::value_t::string, "duration string");
  if (node == nullptr) return;
  auto parsed = parse_duration(node->get_ref<const std::string&>());
  if (!parsed.ok()) {
    decoder_.fail(field(key), parsed.error().message);
    return;
  }
  out = *parsed;
}

void ObjectReader::get_strings(std::string_view key, std::vector<std::string>& out) {
  each(key, [&](const Json& element, const std::string& path) {
    if (!element.is_string()) {
      decoder_.fail(path, "expected string");
      return;
    }
    out.push_back(element.get<std::string>());
  });
}

void ObjectReader::each(std::string_view key,
                        const std::function<void(const Json&, const std::string&)>& each) {
  const Json* node = typed(key, Json::value_t::array, "array");
  if (node == nullptr) return;
  const std::string base = field(key);
  for (size_t i = 0; i < node->size() && !decoder_.failed(); ++i) {
    each((*node)[i], index_field(base, i));
  }
}

}  // namespace archway::config
