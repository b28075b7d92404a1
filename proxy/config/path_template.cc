#include "proxy/config/path_template.h"

#include <algorithm>

namespace archway::config {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

}  // namespace

bool is_group_number(std::string_view name) {
  return name.size() == 1 && name[0] >= '1' && name[0] <= '9';
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    if (end == std::string_view::npos) {
      out.push_back(path.substr(start));
      return out;
    }
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
}

Result<std::vector<TemplateSegment>> parse_path_template(std::string_view path) {
  std::vector<TemplateSegment> out;
  for (std::string_view segment : split_path(path)) {
    const bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
    if (!has_brace) {
      out.push_back({false, std::string(segment)});
      continue;
    }
    if (segment.size() < 2 || segment.front() != '{' || segment.back() != '}' ||
        segment.substr(1, segment.size() - 2).find_first_of("{}") != std::string_view::npos) {
      return invalid("", "segment \"" + std::string(segment) + "\" mixes text and a capture");
    }
    const std::string_view name = segment.substr(1, segment.size() - 2);
    if (!is_identifier(name)) {
      return invalid("", "capture name \"" + std::string(name) + "\" is not an identifier");
    }
    const bool duplicate = std::any_of(out.begin(), out.end(), [&](const TemplateSegment& s) {
      return s.capture && s.text == name;
    });
    if (duplicate) return invalid("", "duplicate capture \"" + std::string(name) + "\"");
    out.push_back({true, std::string(name)});
  }
  return out;
}

Result<std::vector<std::string>> template_references(std::string_view text) {
  std::vector<std::string> names;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '}') return invalid("", "unbalanced '}'");
    if (text[i] != '{') {
      ++i;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string_view::npos) return invalid("", "unbalanced '{'");
    const std::string_view name = text.substr(i + 1, close - i - 1);
    if (!is_identifier(name) && !is_group_number(name)) {
      return invalid("", "capture name \"" + std::string(name) +
                             "\" is not an identifier or a group number 1..9");
    }
    names.emplace_back(name);
    i = close + 1;
  }
  return names;
}

}  // namespace archway::config
