#include "controller/compile/match_validation.h"

#include <re2/re2.h>

#include <string_view>

namespace archway::controller::compile {
namespace {

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

}  // namespace

std::string regex_error(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  return re.ok() ? std::string{} : re.error();
}

std::string template_error(const std::string& path_template) {
  if (path_template.empty() || path_template[0] != '/') return "must start with '/'";
  std::set<std::string> seen;
  size_t start = 1;
  while (start <= path_template.size()) {
    size_t end = path_template.find('/', start);
    if (end == std::string::npos) end = path_template.size();
    const std::string_view segment(path_template.data() + start, end - start);
    const bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
    if (has_brace) {
      if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}') {
        return "segment '" + std::string(segment) + "' must be a literal or exactly {name}";
      }
      const std::string name(segment.substr(1, segment.size() - 2));
      if (!is_identifier(name)) return "'" + name + "' is not a valid capture name";
      if (!seen.insert(name).second) return "capture '" + name + "' appears twice";
    }
    start = end + 1;
  }
  return {};
}

std::set<std::string> template_names(const std::string& path_template) {
  std::set<std::string> names;
  (void)placeholders(path_template, names);  // valid templates only reach here
  return names;
}

std::string placeholders(const std::string& text, std::set<std::string>& names) {
  size_t pos = 0;
  while ((pos = text.find_first_of("{}", pos)) != std::string::npos) {
    if (text[pos] == '}') return "unbalanced '}'";
    const size_t close = text.find('}', pos);
    if (close == std::string::npos) return "unbalanced '{'";
    const std::string name = text.substr(pos + 1, close - pos - 1);
    if (!is_identifier(name)) return "'" + name + "' is not a valid capture name";
    names.insert(name);
    pos = close + 1;
  }
  return {};
}

}  // namespace archway::controller::compile
