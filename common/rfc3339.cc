#include "common/rfc3339.h"

#include <cstdint>
#include <cstdio>

namespace archway {
namespace {

// Reads `count` digits at `pos`; -1 when any is not a digit.
int digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::chrono::sys_time<std::chrono::microseconds>> parse_rfc3339_micro(
    std::string_view text) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const int y = digits(text, 0, 4);
  const int mo = digits(text, 5, 2);
  const int d = digits(text, 8, 2);
  const int h = digits(text, 11, 2);
  const int mi = digits(text, 14, 2);
  const int s = digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;  // 60: a leap second
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t first = pos;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;  // 0 once past microseconds
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int oh = digits(text, pos + 1, 2);
    const int om = digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || pos + 3 >= text.size() || text[pos + 3] != ':' || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return sys_days(date) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_minutes) +
         microseconds(micros);
}

std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text) {
  const auto when = parse_rfc3339_micro(text);
  if (!when) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*when);
}

std::string format_rfc3339(std::chrono::sys_seconds when) {
  using namespace std::chrono;
  const sys_days day_point = floor<days>(when);
  const year_month_day date(day_point);
  const hh_mm_ss<seconds> time(when - day_point);
  char out[64];
  std::snprintf(out, sizeof(out), "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(time.hours().count()),
                static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return out;
}

}  // namespace archway
