#include "proxy/config/policies/policy_checks.h"

#include <algorithm>
#include <set>

#include "proxy/config/field_checks.h"

namespace archway::config {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return out;
}

void get_lower_strings(ObjectReader& reader, std::string_view key, std::vector<std::string>& out) {
  reader.get_strings(key, out);
  for (std::string& value : out) value = ascii_lower(value);
}

Result<void> check_range(uint64_t value, const std::string& path, uint64_t min, uint64_t max) {
  if (value < min || value > max) {
    return invalid(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return {};
}

Result<void> check_count(size_t count, const std::string& path, size_t min, size_t max) {
  if (count < min) {
    return invalid(
        path, "must have at least " + std::to_string(min) + (min == 1 ? " entry" : " entries"));
  }
  if (count > max) return invalid(path, "must have at most " + std::to_string(max) + " entries");
  return {};
}

Result<void> check_distinct(const std::vector<std::string>& values, const std::string& path) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!seen.insert(values[i]).second) {
      return invalid(index_field(path, i), "duplicate value \"" + values[i] + "\"");
    }
  }
  return {};
}

Result<void> check_lower_header_name(std::string_view name, const std::string& path) {
  if (auto problem = check_header_name(name)) return invalid(path, *problem);
  if (name != ascii_lower(name)) return invalid(path, "must be lower case");
  return {};
}

Result<void> check_header_names(const std::vector<std::string>& names, const std::string& path,
                                size_t max) {
  if (auto r = check_count(names.size(), path, 0, max); !r.ok()) return r;
  for (size_t i = 0; i < names.size(); ++i) {
    if (auto r = check_lower_header_name(names[i], index_field(path, i)); !r.ok()) return r;
  }
  return check_distinct(names, path);
}

Result<void> check_text(std::string_view text, const std::string& path, size_t max_len,
                        bool required) {
  if (required && text.empty()) return invalid(path, "must not be empty");
  if (text.size() > max_len) {
    return invalid(path, "must be at most " + std::to_string(max_len) + " bytes");
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return invalid(path, "must not contain control characters");
  }
  return {};
}

Result<void> check_url(std::string_view url, const std::string& path) {
  if (auto r = check_text(url, path, 2048); !r.ok()) return r;
  const size_t scheme_end = url.find("://");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
    return invalid(path, "must be an http:// or https:// URL");
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.find_first_of("/?#") == 0) return invalid(path, "must name a host");
  if (url.find(' ') != std::string_view::npos) return invalid(path, "must not contain spaces");
  return {};
}

Result<void> check_star_alone(const std::vector<std::string>& values, const std::string& path) {
  if (values.size() > 1 && std::find(values.begin(), values.end(), "*") != values.end()) {
    return invalid(path, "\"*\" must be the only entry");
  }
  return {};
}

}  // namespace archway::config
