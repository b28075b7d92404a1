#include "controller/compile/nginx_annotations/annotation_values.h"

#include <charconv>
#include <optional>

namespace archway::controller::compile::nginx {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Shared by every reader: length and hostile characters.
std::optional<ValueError> precheck(std::string_view value) {
  if (value.size() > kMaxValueLength) {
    return ValueError{"is longer than " + std::to_string(kMaxValueLength) + " characters"};
  }
  if (has_hostile_character(value)) {
    return ValueError{"contains a control character or one of { } ; \" ' ` \\"};
  }
  return std::nullopt;
}

// Digits only, at most 12 of them (no value read here needs more), so the
// number cannot overflow.
std::optional<int64_t> digits(std::string_view value) {
  if (value.empty() || value.size() > 12) return std::nullopt;
  for (const char c : value) {
    if (!is_digit(c)) return std::nullopt;
  }
  int64_t n = 0;
  std::from_chars(value.data(), value.data() + value.size(), n);
  return n;
}

std::string quoted(std::string_view value) { return "\"" + std::string(value) + "\""; }

}  // namespace

bool has_hostile_character(std::string_view value) {
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
    switch (c) {
      case '{':
      case '}':
      case ';':
      case '"':
      case '\'':
      case '`':
      case '\\':
        return true;
      default:
        break;
    }
  }
  return false;
}

Result<bool, ValueError> read_bool(std::string_view value) {
  if (auto bad = precheck(value)) return *bad;
  if (value == "true") return true;
  if (value == "false") return false;
  return ValueError{quoted(value) + " is not true or false"};
}

Result<int64_t, ValueError> read_int(std::string_view value, int64_t min, int64_t max) {
  if (auto bad = precheck(value)) return *bad;
  const auto n = digits(value);
  if (!n || *n < min || *n > max) {
    return ValueError{quoted(value) + " is not a whole number from " + std::to_string(min) +
                      " to " + std::to_string(max)};
  }
  return *n;
}

Result<std::chrono::milliseconds, ValueError> read_seconds(std::string_view value) {
  if (auto bad = precheck(value)) return *bad;
  std::string_view number = value;
  if (number.ends_with('s')) number.remove_suffix(1);
  const auto n = digits(number);
  if (!n || *n > 86400) {
    return ValueError{quoted(value) +
                      " is not a number of seconds from 0 to 86400 (\"60\" or \"60s\")"};
  }
  return std::chrono::milliseconds(*n * 1000);
}

Result<uint64_t, ValueError> read_size(std::string_view value) {
  if (auto bad = precheck(value)) return *bad;
  std::string_view number = value;
  uint64_t unit = 1;
  if (!number.empty()) {
    switch (number.back()) {
      case 'k':
      case 'K':
        unit = 1ULL << 10;
        break;
      case 'm':
      case 'M':
        unit = 1ULL << 20;
        break;
      case 'g':
      case 'G':
        unit = 1ULL << 30;
        break;
      default:
        break;
    }
    if (unit != 1) number.remove_suffix(1);
  }
  const auto n = digits(number);
  constexpr uint64_t kMax = 64ULL << 30;
  if (!n || static_cast<uint64_t>(*n) > kMax / unit) {
    return ValueError{quoted(value) +
                      " is not a size such as \"8m\", \"512k\" or \"0\" (at most 64g)"};
  }
  return static_cast<uint64_t>(*n) * unit;
}

Result<std::vector<std::string>, ValueError> read_list(std::string_view value) {
  if (auto bad = precheck(value)) return *bad;
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) return ValueError{quoted(value) + " has an empty item"};
    items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

}  // namespace archway::controller::compile::nginx
