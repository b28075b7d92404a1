#include "proxy/routing/match_conditions.h"

#include <algorithm>

#include "proxy/routing/path_normalize.h"

namespace archway::routing {
namespace {

bool value_holds(const ValueCondition& c, std::string_view value) {
  switch (c.type) {
    case config::ValueMatchType::kPresent:
      return true;
    case config::ValueMatchType::kExact:
      return value == c.value;
    case config::ValueMatchType::kRegularExpression:
      return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *c.regex);
  }
  return false;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<ValueCondition> compile_value(const config::ValueMatch& m, const std::string& path,
                                     bool header) {
  ValueCondition c;
  c.name = header ? lowercase(m.name) : m.name;
  c.type = m.type;
  c.value = m.value;
  if (m.type == config::ValueMatchType::kRegularExpression) {
    auto re = compile_regex(m.value, path + ".value");
    if (!re.ok()) return re.error();
    c.regex = std::move(*re);
  }
  return c;
}

}  // namespace

std::string decode_query_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

const std::vector<std::pair<std::string, std::string>>& RequestView::query() {
  if (query_) return *query_;
  auto& out = query_.emplace();
  std::string_view rest = head_.query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(decode_query_component(pair), std::string());
    } else {
      out.emplace_back(decode_query_component(pair.substr(0, eq)),
                       decode_query_component(pair.substr(eq + 1)));
    }
  }
  return out;
}

bool MatchConditions::matches(RequestView& request) const {
  const RequestHead& head = request.head();
  if (!methods.empty() && std::find(methods.begin(), methods.end(), head.method) == methods.end()) {
    return false;
  }
  for (const ValueCondition& c : headers) {
    const bool any = std::any_of(
        head.headers.begin(), head.headers.end(),
        [&](const HeaderField& f) { return f.name == c.name && value_holds(c, f.value); });
    if (!any) return false;
  }
  if (query.empty()) return true;
  const auto& params = request.query();
  for (const ValueCondition& c : query) {
    const bool any = std::any_of(params.begin(), params.end(), [&](const auto& p) {
      return p.first == c.name && value_holds(c, p.second);
    });
    if (!any) return false;
  }
  return true;
}

Result<std::unique_ptr<RE2>> compile_regex(const std::string& pattern, const std::string& field) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return invalid(field, "invalid regular expression: " + re->error());
  return re;
}

Result<MatchConditions> compile_conditions(const config::Match& match) {
  MatchConditions out;
  out.methods = match.methods;
  out.headers.reserve(match.headers.size());
  for (size_t i = 0; i < match.headers.size(); ++i) {
    auto c = compile_value(match.headers[i], "headers[" + std::to_string(i) + "]", true);
    if (!c.ok()) return c.error();
    out.headers.push_back(std::move(*c));
  }
  out.query.reserve(match.query_params.size());
  for (size_t i = 0; i < match.query_params.size(); ++i) {
    auto c = compile_value(match.query_params[i], "queryParams[" + std::to_string(i) + "]", false);
    if (!c.ok()) return c.error();
    out.query.push_back(std::move(*c));
  }
  return out;
}

}  // namespace archway::routing
