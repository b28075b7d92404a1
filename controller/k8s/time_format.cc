#include "controller/k8s/time_format.h"

#include "common/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace archway::controller::k8s {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::seconds;

std::string format(TimePoint t, bool micro) {
  const auto since = t.time_since_epoch();
  auto secs = duration_cast<seconds>(since);
  auto us = duration_cast<microseconds>(since - secs).count();
  if (us < 0) {  // before 1970: borrow a second so the fraction stays positive
    secs -= seconds(1);
    us += 1000000;
  }
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];  // the compiler cannot prove tm fields are small
  if (micro) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long>(us));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}

}  // namespace

std::string format_time(TimePoint t) { return format(t, false); }
std::string format_micro_time(TimePoint t) { return format(t, true); }

std::optional<TimePoint> parse_time(std::string_view s) {
  const auto when = parse_rfc3339_micro(s);
  if (!when) return std::nullopt;
  return std::chrono::time_point_cast<TimePoint::duration>(*when);
}

}  // namespace archway::controller::k8s
