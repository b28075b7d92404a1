#include "proxy/filters/body_map/json_mapping.h"

#include <optional>

#include "common/text_scan.h"
#include "proxy/config/policies/json_pointer.h"

namespace archway::filters {
namespace {

using Json = nlohmann::json;
using Tokens = std::vector<std::string>;

// An array index token: "0", or digits without a leading zero (RFC 6901 §4).
std::optional<size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  size_t index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return index;
}

// The value `tokens` names, or null when any step is missing or does not
// fit (a member of an array, an index of an object, a step into a scalar).
Json* find_value(Json& doc, const Tokens& tokens) {
  Json* node = &doc;
  for (const std::string& token : tokens) {
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      const auto index = array_index(token);
      if (!index || *index >= node->size()) return nullptr;
      node = &(*node)[*index];
    } else {
      return nullptr;
    }
  }
  return node;
}

// The container that holds (or will hold) the last token of a non-empty
// `tokens`. Missing object members on the way are created as objects, so
// Set /meta/source works on a body without "meta"; an array on the way
// must already have the index.
Json* parent_for_write(Json& doc, const Tokens& tokens) {
  Json* node = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (node->is_object()) {
      auto it = node->find(token);
      node = it == node->end() ? &((*node)[token] = Json::object()) : &*it;
    } else if (node->is_array()) {
      const auto index = array_index(token);
      if (!index || *index >= node->size()) return nullptr;
      node = &(*node)[*index];
    } else {
      return nullptr;
    }
  }
  return node;
}

// Set semantics: an object member is added or replaced; an array index
// replaces that element, the index one past the end or "-" appends.
bool write_value(Json& doc, const Tokens& tokens, Json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return true;
  }
  Json* parent = parent_for_write(doc, tokens);
  if (parent == nullptr) return false;
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return true;
  }
  if (!parent->is_array()) return false;
  if (last == "-") {
    parent->push_back(std::move(value));
    return true;
  }
  const auto index = array_index(last);
  if (!index || *index > parent->size()) return false;
  if (*index == parent->size()) {
    parent->push_back(std::move(value));
  } else {
    (*parent)[*index] = std::move(value);
  }
  return true;
}

// Takes the value out of the document; nullopt when it is not there.
std::optional<Json> take(Json& doc, const Tokens& tokens) {
  if (tokens.empty()) return std::nullopt;  // the whole body is never taken
  Json* parent = find_value(doc, Tokens(tokens.begin(), tokens.end() - 1));
  if (parent == nullptr) return std::nullopt;
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) return std::nullopt;
    Json value = std::move(*it);
    parent->erase(it);
    return value;
  }
  if (!parent->is_array()) return std::nullopt;
  const auto index = array_index(last);
  if (!index || *index >= parent->size()) return std::nullopt;
  Json value = std::move((*parent)[*index]);
  parent->erase(*index);
  return value;
}

}  // namespace

JsonMapping::JsonMapping(const config::BodyMapping& mapping) {
  operations_.reserve(mapping.operations.size());
  for (const config::BodyOperation& op : mapping.operations) {
    Operation& out = operations_.emplace_back();
    out.op = op.op;
    out.path = config::parse_json_pointer(op.path).value_or(Tokens{});
    out.from = config::parse_json_pointer(op.from).value_or(Tokens{});
    out.key = op.key;
    if (op.op == config::BodyOpKind::kSet) out.value = Json::parse(op.value, nullptr, false);
  }
}

MappingResult JsonMapping::apply(Json& doc) const {
  for (const Operation& op : operations_) {
    switch (op.op) {
      case config::BodyOpKind::kSet:
        if (!write_value(doc, op.path, op.value)) return MappingResult::kShapeMismatch;
        break;
      case config::BodyOpKind::kRemove:
        // Already absent is what Remove asks for: not a mismatch.
        (void)take(doc, op.path);
        break;
      case config::BodyOpKind::kMove: {
        std::optional<Json> value = take(doc, op.from);
        if (!value || !write_value(doc, op.path, std::move(*value))) {
          return MappingResult::kShapeMismatch;
        }
        break;
      }
      case config::BodyOpKind::kWrap: {
        Json* target = find_value(doc, op.path);
        if (target == nullptr) return MappingResult::kShapeMismatch;
        Json wrapped = Json::object();
        wrapped[op.key] = std::move(*target);
        *target = std::move(wrapped);
        break;
      }
    }
  }
  return MappingResult::kMapped;
}

MappingResult JsonMapping::map(std::string_view body, std::string& out) const {
  if (!json_nesting_within(body, kMaxJsonDepth)) return MappingResult::kNotJson;
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return MappingResult::kNotJson;
  if (const MappingResult result = apply(doc); result != MappingResult::kMapped) return result;
  out = doc.dump();
  return MappingResult::kMapped;
}

}  // namespace archway::filters
