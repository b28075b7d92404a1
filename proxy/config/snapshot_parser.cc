// Entry points of the snapshot parser: text → JSON tree (both syntaxes) →
// typed Snapshot (snapshot_decode.cc) → semantic checks
// (snapshot_validate.cc). Library exceptions are caught here and never
// cross this file.

#include "proxy/config/snapshot_parser.h"

#include <cmath>
#include <functional>
#include <vector>

#include "common/text_scan.h"
#include "proxy/config/snapshot_decode.h"
#include "proxy/config/yaml_to_json.h"

namespace archway::config {
namespace {

// nlohmann keeps the last of duplicate keys; a snapshot must not be
// ambiguous, so the parse callback tracks the keys of each open object.
struct DuplicateKeys {
  std::vector<std::vector<std::string>> open;
  std::string duplicate;

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case Json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        auto& keys = open.back();
        for (const std::string& k : keys) {
          if (k == key && duplicate.empty()) duplicate = key;
        }
        keys.push_back(key);
        break;
      }
      default:
        break;
    }
    return true;
  }
};

// NaN and infinities have no JSON spelling; a float that overflowed while
// parsing would not survive to_json.
bool all_finite(const Json& json) {
  if (json.is_number_float()) return std::isfinite(json.get<double>());
  if (json.is_structured()) {
    for (const Json& child : json) {
      if (!all_finite(child)) return false;
    }
  }
  return true;
}

Result<ValidatedSnapshot> from_tree(const Json& root) {
  if (!all_finite(root)) return invalid("", "numbers must be finite");
  auto snapshot = decode_snapshot(root);
  if (!snapshot.ok()) return snapshot.error();
  return validate_snapshot(std::move(snapshot).value());
}

}  // namespace

Result<ValidatedSnapshot> parse_snapshot_json(std::string_view text) {
  if (!json_nesting_within(text, kMaxNesting)) return invalid("", "invalid JSON: nesting too deep");
  Json root;
  DuplicateKeys duplicates;
  try {
    root = Json::parse(text.begin(), text.end(), std::ref(duplicates));
  } catch (const Json::exception& e) {
    return invalid("", std::string("invalid JSON: ") + e.what());
  }
  if (!duplicates.duplicate.empty()) {
    return invalid("", "invalid JSON: duplicate key \"" + duplicates.duplicate + "\"");
  }
  return from_tree(root);
}

Result<ValidatedSnapshot> parse_snapshot_yaml(std::string_view text) {
  auto root = yaml_to_json(text);
  if (!root.ok()) return root.error();
  return from_tree(*root);
}

Result<ValidatedSnapshot> parse_snapshot(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '{') return parse_snapshot_json(text);
    break;
  }
  return parse_snapshot_yaml(text);
}

}  // namespace archway::config
