// Go-style durations ("250ms", "1h30m", "1.5s"), the spelling Kubernetes users
// already write. The snapshot keeps milliseconds, so a value that is not a
// whole number of milliseconds is rejected rather than silently rounded (a
// rounded value would not round-trip through to_json).

#include <cstdint>
#include <limits>
#include <string>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

// Milliseconds per unit; longest spelling first so "ms" wins over "m".
struct Unit {
  std::string_view name;
  uint64_t ms;
};
constexpr Unit kUnits[] = {{"ms", 1}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};

// Generous but far from overflow of int64 milliseconds: 100 years.
constexpr uint64_t kMaxMs = 100ULL * 365 * 24 * 3600 * 1000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  const std::string quoted = "invalid duration \"" + std::string(text) + "\"";
  if (text.empty()) return invalid("", "invalid duration \"\": empty");
  if (text[0] == '-') return invalid("", quoted + ": negative");
  if (text == "0") return Duration{0};
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    // number: digits [ '.' digits ]
    uint64_t whole = 0;
    uint64_t frac = 0;
    uint64_t frac_scale = 1;
    const size_t start = i;
    while (i < text.size() && is_digit(text[i])) {
      whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
      if (whole > kMaxMs) return invalid("", quoted + ": too large");
      ++i;
    }
    bool any_digits = i > start;
    if (i < text.size() && text[i] == '.') {
      ++i;
      const size_t frac_start = i;
      while (i < text.size() && is_digit(text[i])) {
        // Digits past the 9th cannot make whole milliseconds of any unit
        // non-zero unless they are non-zero themselves.
        if (frac_scale < 1000000000ULL) {
          frac = frac * 10 + static_cast<uint64_t>(text[i] - '0');
          frac_scale *= 10;
        } else if (text[i] != '0') {
          return invalid("", quoted + ": not a whole number of milliseconds");
        }
        ++i;
      }
      any_digits = any_digits || i > frac_start;
    }
    if (!any_digits) return invalid("", quoted + ": expected a number");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return invalid("", quoted + ": unit must be one of ms, s, m, h");
    i += unit->name.size();
    if (whole > kMaxMs / unit->ms) return invalid("", quoted + ": too large");
    const uint64_t frac_ms_scaled = frac * unit->ms;
    if (frac_ms_scaled % frac_scale != 0) {
      return invalid("", quoted + ": not a whole number of milliseconds");
    }
    total += whole * unit->ms + frac_ms_scaled / frac_scale;
    if (total > kMaxMs) return invalid("", quoted + ": too large");
  }
  return Duration{static_cast<int64_t>(total)};
}

std::string format_duration(Duration duration) {
  int64_t ms = duration.count();
  if (ms <= 0) return "0s";
  std::string out;
  const auto part = [&](int64_t unit, const char* name) {
    if (ms >= unit) {
      out += std::to_string(ms / unit);
      out += name;
      ms %= unit;
    }
  };
  part(3600000, "h");
  part(60000, "m");
  part(1000, "s");
  part(1, "ms");
  return out;
}

}  // namespace archway::config
