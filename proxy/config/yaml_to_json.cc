#include "proxy/config/yaml_to_json.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include <yaml-cpp/yaml.h>

namespace archway::config {
namespace {

// Bounds the work an alias-heavy document ("billion laughs") can cause.
constexpr size_t kMaxNodes = 1'000'000;

bool is_plain_int(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool is_plain_float(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (is_plain_int(s)) {
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    if (s[0] == '-') {
      int64_t v = 0;
      if (std::from_chars(begin, s.data() + s.size(), v).ec == std::errc()) return v;
    } else {
      uint64_t v = 0;
      if (std::from_chars(begin, s.data() + s.size(), v).ec == std::errc()) return v;
    }
    return s;  // out of range: left as text, so a typed field reports it
  }
  if (is_plain_float(s)) {
    const double v = std::strtod(s.c_str(), nullptr);
    if (std::isfinite(v)) return v;
  }
  return s;
}

struct Converter {
  size_t nodes = 0;
  std::string error;

  bool fail(std::string message, const YAML::Node& node) {
    if (error.empty()) {
      const YAML::Mark mark = node.Mark();
      error = message + " at line " + std::to_string(mark.line + 1) + ", column " +
              std::to_string(mark.column + 1);
    }
    return false;
  }

  bool scalar(const YAML::Node& node, Json& out) {
    const std::string& text = node.Scalar();
    if (!is_valid_utf8(text)) return fail("invalid UTF-8", node);
    const std::string& tag = node.Tag();
    if (tag == "?") {
      out = plain_scalar(text);
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      out = text;
    } else {
      return fail("unsupported tag \"" + tag + "\"", node);
    }
    return true;
  }

  bool convert(const YAML::Node& node, Json& out, int depth) {
    if (++nodes > kMaxNodes) return fail("document too large", node);
    if (depth > kMaxNesting) return fail("nesting too deep", node);
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out = nullptr;
        return true;
      case YAML::NodeType::Scalar:
        return scalar(node, out);
      case YAML::NodeType::Sequence:
        out = Json::array();
        for (const YAML::Node& element : node) {
          if (!convert(element, out.emplace_back(), depth + 1)) return false;
        }
        return true;
      case YAML::NodeType::Map:
        out = Json::object();
        for (const auto& item : node) {
          if (!item.first.IsScalar()) return fail("mapping keys must be scalars", item.first);
          const std::string& key = item.first.Scalar();
          if (!is_valid_utf8(key)) return fail("invalid UTF-8", item.first);
          if (out.contains(key)) return fail("duplicate key \"" + key + "\"", item.first);
          if (!convert(item.second, out[key], depth + 1)) return false;
        }
        return true;
    }
    return fail("unsupported node", node);
  }
};

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    const unsigned char c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Result<Json> yaml_to_json(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return invalid("", "invalid YAML: " + std::string(e.what()));
  } catch (const std::exception& e) {
    return invalid("", "invalid YAML: " + std::string(e.what()));
  }
  Converter converter;
  Json out;
  try {
    if (!converter.convert(root, out, 0)) return invalid("", "invalid YAML: " + converter.error);
  } catch (const std::exception& e) {
    return invalid("", "invalid YAML: " + std::string(e.what()));
  }
  return out;
}

}  // namespace archway::config
