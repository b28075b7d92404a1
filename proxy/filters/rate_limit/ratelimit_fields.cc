#include "proxy/filters/rate_limit/ratelimit_fields.h"

#include <algorithm>

namespace archway::filters::rate_limit {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t ceil_seconds(int64_t nanos) { return nanos <= 0 ? 0 : (nanos - 1) / kNanosPerSecond + 1; }

// An sf-string: printable ASCII, with `"` and `\` escaped; anything else
// (a route name is a DNS label, so nothing in practice) is dropped.
void append_sf_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string policy_field(std::string_view name, const ratelimit::GcraLimit& limit) {
  std::string out;
  append_sf_string(out, name);
  out += ";q=" + std::to_string(limit.requests);
  // A period under a second is announced as 1 s: `w` is an integer.
  out += ";w=" + std::to_string(std::max<int64_t>(ceil_seconds(limit.period.count()), 1));
  return out;
}

std::string limit_field(std::string_view name, const ratelimit::Decision& decision) {
  std::string out;
  append_sf_string(out, name);
  out += ";r=" + std::to_string(decision.remaining);
  out += ";t=" + std::to_string(ceil_seconds(decision.reset_ns));
  return out;
}

int64_t retry_after_seconds(const ratelimit::Decision& decision) {
  return std::max<int64_t>(ceil_seconds(decision.retry_after_ns), 1);
}

}  // namespace archway::filters::rate_limit
