#pragma once
// JSON → YAML text for `-o yaml` and `migrate`. Block style, keys in the
// order the document holds them (ordered_json keeps insertion order), and a
// string is written plain only when YAML would read it back as the same
// string; anything else is double-quoted with JSON escapes, which YAML reads
// the same way. Pure.

#include <string>

#include <nlohmann/json.hpp>

namespace archway::controller::cli {

using OrderedJson = nlohmann::ordered_json;

// One YAML document (no leading "---"), ending in a newline.
[[nodiscard]] std::string to_yaml(const OrderedJson& document);

// A string as YAML reads it back unchanged: plain when safe, else quoted.
[[nodiscard]] std::string yaml_scalar(const std::string& text);

}  // namespace archway::controller::cli
