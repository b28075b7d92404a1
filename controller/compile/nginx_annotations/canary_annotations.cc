// canary, canary-weight(-total), canary-by-header(-value|-pattern),
// canary-by-cookie: what canary_merge.h needs to fold a canary Ingress into
// its main one.
#include <string_view>

#include "controller/compile/json_access.h"
#include "controller/compile/nginx_annotations/annotation_values.h"
#include "controller/compile/nginx_annotations/reader.h"
#include "proxy/config/field_checks.h"

namespace archway::controller::compile::nginx {
namespace {

constexpr const char* kCanaryNames[] = {
    "canary-weight",          "canary-weight-total",      "canary-by-header",
    "canary-by-header-value", "canary-by-header-pattern", "canary-by-cookie"};

bool token(Reader& r, const std::string& name, std::optional<std::string>& into) {
  const std::string* v = r.get(name);
  if (v == nullptr) return true;
  if (has_hostile_character(*v) || !config::is_token(*v) || v->size() > 256) {
    return r.reject(name, "\"" + *v + "\" is not a header or cookie name");
  }
  into = *v;
  return true;
}

}  // namespace

bool read_canary(Reader& r) {
  std::optional<bool> canary;
  if (!r.read("canary", read_bool, canary)) return false;
  if (!canary.value_or(false)) {
    for (const char* n : kCanaryNames) {
      if (r.get(n) != nullptr) r.not_honoured(n);  // ignored without canary, as in nginx
    }
    return true;
  }
  Canary c;
  std::optional<int64_t> weight, total;
  if (!r.read(
          "canary-weight-total", [](std::string_view v) { return read_int(v, 1, 1000000); },
          total) ||
      !r.read(
          "canary-weight", [](std::string_view v) { return read_int(v, 0, 1000000); }, weight)) {
    return false;
  }
  c.weight_total = static_cast<uint32_t>(total.value_or(100));
  c.weight = static_cast<uint32_t>(weight.value_or(0));
  if (c.weight > c.weight_total) {
    return r.reject("canary-weight",
                    "must not exceed canary-weight-total (" + std::to_string(c.weight_total) + ")");
  }
  if (!token(r, "canary-by-header", c.header) || !token(r, "canary-by-cookie", c.cookie)) {
    return false;
  }
  if (c.header) c.header = lower(*c.header);
  if (const std::string* v = r.get("canary-by-header-value")) {
    if (has_hostile_character(*v) || v->empty() || v->size() > 256 ||
        config::check_header_value(*v)) {
      return r.reject("canary-by-header-value", "\"" + *v + "\" is not a plain header value");
    }
    c.header_value = *v;
  }
  if (const std::string* v = r.get("canary-by-header-pattern")) {
    if (v->size() > kMaxValueLength || v->find_first_of("\r\n") != std::string::npos) {
      return r.reject("canary-by-header-pattern", "is too long or has a line break");
    }
    if (auto bad = config::check_regex(*v)) {
      return r.reject("canary-by-header-pattern", "invalid regular expression: " + *bad,
                      Reason::kInvalidRegex);
    }
    c.header_pattern = *v;
  }
  if ((c.header_value || c.header_pattern) && !c.header) {
    return r.reject("canary-by-header", "is required by canary-by-header-value and -pattern");
  }
  if (c.header_value && c.header_pattern) {
    return r.reject("canary-by-header-pattern",
                    "set at most one of canary-by-header-value and canary-by-header-pattern");
  }
  r.out.canary = std::move(c);
  return true;
}

}  // namespace archway::controller::compile::nginx
