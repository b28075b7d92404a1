#include "proxy/metrics/openmetrics.h"

#include <charconv>
#include <set>

namespace archway::metrics {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The q-value of one media range's parameters (RFC 9110 §12.4.2); 1 when
// absent, 0 when malformed.
double q_value(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      const auto v = param.substr(2);
      double q = 0;
      // "0", "0.5", "1", "1.000": strtod-like but locale-free.
      int whole = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), whole);
      if (ec != std::errc() || whole < 0 || whole > 1) return 0;
      q = whole;
      if (p != v.data() + v.size()) {
        if (*p != '.') return 0;
        double scale = 0.1;
        for (++p; p != v.data() + v.size(); ++p) {
          if (*p < '0' || *p > '9') return 0;
          q += (*p - '0') * scale;
          scale /= 10;
        }
      }
      return q > 1 ? 0 : q;
    }
  }
  return 1;
}

}  // namespace

bool wants_openmetrics(std::string_view accept) {
  double openmetrics = 0, text = 0;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const auto range = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const auto semi = range.find(';');
    const auto type = trim(range.substr(0, semi));
    const double q = semi == std::string_view::npos ? 1 : q_value(range.substr(semi + 1));
    if (iequals(type, "application/openmetrics-text")) {
      openmetrics = std::max(openmetrics, q);
    } else if (iequals(type, "text/plain") || iequals(type, "text/*") || type == "*/*") {
      text = std::max(text, q);
    }
  }
  return openmetrics > 0 && openmetrics >= text;
}

std::string to_openmetrics(std::string_view text) {
  // Counter families, from their `# TYPE` lines (a `# HELP` comes first).
  std::set<std::string_view> counters;
  for (size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    constexpr std::string_view kType = "# TYPE ";
    if (line.starts_with(kType)) {
      const auto rest = line.substr(kType.size());
      const auto space = rest.find(' ');
      if (space != std::string_view::npos && rest.substr(space + 1) == "counter") {
        counters.insert(rest.substr(0, space));
      }
    }
    pos = end + 1;
  }
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    pos = end + 1;
    bool rewritten = false;
    for (std::string_view prefix : {std::string_view("# TYPE "), std::string_view("# HELP ")}) {
      if (!line.starts_with(prefix)) continue;
      const auto rest = line.substr(prefix.size());
      const auto name = rest.substr(0, rest.find(' '));
      if (counters.contains(name) && name.ends_with("_total")) {
        out.append(prefix).append(name.substr(0, name.size() - 6));
        out.append(rest.substr(name.size())).append("\n");
        rewritten = true;
      }
    }
    if (!rewritten && !line.empty()) out.append(line).append("\n");
  }
  out += "# EOF\n";
  return out;
}

}  // namespace archway::metrics
