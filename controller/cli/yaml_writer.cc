#include "controller/cli/yaml_writer.h"

#include <string_view>

namespace archway::controller::cli {
namespace {

bool looks_like_number(const std::string& s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  bool digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '_' && c != 'x' && c != 'o') {
      return false;
    }
  }
  return digit;
}

// YAML 1.1 and 1.2 words that a plain scalar would turn into something else.
bool is_reserved_word(const std::string& s) {
  static constexpr std::string_view kWords[] = {"true", "false", "yes", "no", "on",   "off",
                                                "null", "~",     "y",   "n",  ".inf", ".nan"};
  std::string lower;
  for (const char c : s) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  for (const auto word : kWords) {
    if (lower == word) return true;
  }
  return false;
}

bool plain_is_safe(const std::string& s) {
  if (s.empty() || is_reserved_word(s) || looks_like_number(s)) return false;
  static constexpr std::string_view kBadFirst = "-?:,[]{}#&*!|>'\"%@` ";
  if (kBadFirst.find(s.front()) != std::string_view::npos) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c >= 0x80) return false;
    if (c == ':' && i + 1 < s.size() && s[i + 1] == ' ') return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',') return false;
  }
  return true;
}

std::string scalar_text(const OrderedJson& value) {
  if (value.is_string()) return yaml_scalar(value.get<std::string>());
  if (value.is_null()) return "null";
  return value.dump();  // numbers and booleans read back the same in YAML
}

bool is_empty_container(const OrderedJson& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void write(const OrderedJson& value, int indent, std::string& out);

// A value after "key:" or "- ": scalars and empty containers on the same line.
void write_after_key(const OrderedJson& value, int indent, std::string& out) {
  if (is_empty_container(value)) {
    out += value.is_object() ? " {}\n" : " []\n";
  } else if (value.is_object()) {
    out += "\n";
    write(value, indent + 2, out);
  } else if (value.is_array()) {
    out += "\n";
    write(value, indent, out);  // kubectl style: list items at the key's indent
  } else {
    out += " " + scalar_text(value) + "\n";
  }
}

void write(const OrderedJson& value, int indent, std::string& out) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      out += pad + yaml_scalar(key) + ":";
      write_after_key(member, indent, out);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      out += pad + "-";
      if (item.is_object() && !item.empty()) {
        // The first member shares the dash's line; the others align with it.
        std::string nested;
        write(item, indent + 2, nested);
        out += " " + nested.substr(static_cast<size_t>(indent) + 2);
      } else if (item.is_array() && !item.empty()) {
        out += "\n";
        write(item, indent + 2, out);
      } else {
        write_after_key(item, indent, out);
      }
    }
  } else {
    out += pad + scalar_text(value) + "\n";
  }
}

}  // namespace

std::string yaml_scalar(const std::string& text) {
  if (plain_is_safe(text)) return text;
  return OrderedJson(text).dump();  // a JSON string is a YAML double-quoted scalar
}

std::string to_yaml(const OrderedJson& document) {
  if (is_empty_container(document)) return document.is_object() ? "{}\n" : "[]\n";
  std::string out;
  write(document, 0, out);
  return out;
}

}  // namespace archway::controller::cli
