#include "proxy/cache/http_date.h"

#include <array>
#include <cstdio>

namespace archway::cache {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A left-to-right reader over the text; every step fails the whole parse.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool literal(std::string_view s) {
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  // Exactly `n` digits.
  bool digits(size_t n, int& out) {
    if (pos_ + n > text_.size()) return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    pos_ += n;
    return true;
  }
  template <size_t N>
  bool one_of(const std::array<std::string_view, N>& names, int& index) {
    for (size_t i = 0; i < N; ++i) {
      if (literal(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  [[nodiscard]] bool done() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool time_of_day(Reader& r, Fields& f) {
  return r.digits(2, f.hour) && r.literal(":") && r.digits(2, f.minute) && r.literal(":") &&
         r.digits(2, f.second);
}

std::optional<std::chrono::sys_seconds> to_time(const Fields& f) {
  const std::chrono::year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                                         day{static_cast<unsigned>(f.day)}};
  // second 60: a leap second, which the grammar's 2DIGIT allows.
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{f.hour} + std::chrono::minutes{f.minute} +
         std::chrono::seconds{f.second};
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::chrono::sys_seconds> imf_fixdate(std::string_view text) {
  Reader r(text);
  Fields f;
  int weekday = 0;
  if (r.one_of(kDayNames, weekday) && r.literal(", ") && r.digits(2, f.day) && r.literal(" ") &&
      r.one_of(kMonthNames, f.month) && r.literal(" ") && r.digits(4, f.year) && r.literal(" ") &&
      time_of_day(r, f) && r.literal(" GMT") && r.done()) {
    ++f.month;
    return to_time(f);
  }
  return std::nullopt;
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<std::chrono::sys_seconds> rfc850(std::string_view text, year current_year) {
  Reader r(text);
  Fields f;
  int weekday = 0;
  int yy = 0;
  if (r.one_of(kLongDayNames, weekday) && r.literal(", ") && r.digits(2, f.day) && r.literal("-") &&
      r.one_of(kMonthNames, f.month) && r.literal("-") && r.digits(2, yy) && r.literal(" ") &&
      time_of_day(r, f) && r.literal(" GMT") && r.done()) {
    ++f.month;
    const int now = static_cast<int>(current_year);
    f.year = now - now % 100 + yy;
    if (f.year > now + 50) f.year -= 100;
    return to_time(f);
  }
  return std::nullopt;
}

// "Sun Nov  6 08:49:37 1994" (day: two digits or space and one digit)
std::optional<std::chrono::sys_seconds> asctime(std::string_view text) {
  Reader r(text);
  Fields f;
  int weekday = 0;
  if (!(r.one_of(kDayNames, weekday) && r.literal(" ") && r.one_of(kMonthNames, f.month) &&
        r.literal(" "))) {
    return std::nullopt;
  }
  if (!(r.literal(" ") ? r.digits(1, f.day) : r.digits(2, f.day))) return std::nullopt;
  if (r.literal(" ") && time_of_day(r, f) && r.literal(" ") && r.digits(4, f.year) && r.done()) {
    ++f.month;
    return to_time(f);
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        std::chrono::year current_year) {
  text = trim(text);
  if (auto t = imf_fixdate(text)) return t;
  if (auto t = rfc850(text, current_year)) return t;
  return asctime(text);
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return parse_http_date(text, std::chrono::year_month_day{today}.year());
}

void append_http_date(std::string& out, std::chrono::sys_seconds when) {
  const auto days = std::chrono::floor<std::chrono::days>(when);
  const std::chrono::year_month_day date{days};
  const std::chrono::hh_mm_ss time{when - days};
  const std::chrono::weekday weekday{days};
  char buffer[32];
  const int n = std::snprintf(
      buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d GMT",
      kDayNames[weekday.c_encoding()].data(), static_cast<unsigned>(date.day()),
      kMonthNames[static_cast<unsigned>(date.month()) - 1].data(), static_cast<int>(date.year()),
      static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
      static_cast<int>(time.seconds().count()));
  out.append(buffer, static_cast<size_t>(n));
}

}  // namespace archway::cache
