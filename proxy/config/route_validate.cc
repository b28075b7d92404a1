// Per-route checks of validate_snapshot: match values, exactly one action,
// backend references, rewrites and header operations. Header names and
// values are checked here so no snapshot can inject a header line.

#include <algorithm>
#include <array>

#include "proxy/config/field_checks.h"
#include "proxy/config/json_decoder.h"
#include "proxy/config/path_template.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_names.h"
#include "proxy/config/snapshot_validate.h"

namespace archway::config {
namespace {

Result<void> validate_path_match(const PathMatch& m, const std::string& path) {
  const std::string field = path + ".value";
  switch (m.type) {
    case PathMatchType::kExact:
    case PathMatchType::kPathPrefix:
      if (auto p = check_path(m.value, /*allow_braces=*/false)) return invalid(field, *p);
      return {};
    case PathMatchType::kTemplate: {
      if (auto p = check_path(m.value, /*allow_braces=*/true)) return invalid(field, *p);
      auto parsed = parse_path_template(m.value);
      if (!parsed.ok()) return invalid(field, "invalid template: " + parsed.error().message);
      return {};
    }
    case PathMatchType::kRegularExpression:
      if (auto p = check_regex(m.value)) return invalid(field, "invalid regular expression: " + *p);
      return {};
  }
  return {};
}

Result<void> validate_value_match(const ValueMatch& m, const std::string& path, bool header) {
  if (header) {
    if (auto p = check_header_name(m.name)) return invalid(path + ".name", *p);
  } else if (m.name.empty()) {
    return invalid(path + ".name", "must not be empty");
  }
  switch (m.type) {
    case ValueMatchType::kExact:
      if (auto p = check_header_value(m.value)) return invalid(path + ".value", *p);
      return {};
    case ValueMatchType::kRegularExpression:
      if (auto p = check_regex(m.value)) {
        return invalid(path + ".value", "invalid regular expression: " + *p);
      }
      return {};
    case ValueMatchType::kPresent:
      if (!m.value.empty()) return invalid(path + ".value", "must be empty for type Present");
      return {};
  }
  return {};
}

Result<void> validate_match(const Match& m, const std::string& path) {
  if (auto r = validate_path_match(m.path, path + ".path"); !r.ok()) return r;
  for (size_t i = 0; i < m.methods.size(); ++i) {
    if (auto p = check_method(m.methods[i])) return invalid(index_field(path + ".methods", i), *p);
  }
  for (size_t i = 0; i < m.headers.size(); ++i) {
    auto r = validate_value_match(m.headers[i], index_field(path + ".headers", i), true);
    if (!r.ok()) return r;
  }
  for (size_t i = 0; i < m.query_params.size(); ++i) {
    auto r = validate_value_match(m.query_params[i], index_field(path + ".queryParams", i), false);
    if (!r.ok()) return r;
  }
  return {};
}

Result<void> validate_header_ops(const HeaderOps& ops, const std::string& path) {
  for (const auto* list : {&ops.set, &ops.add}) {
    const std::string base = path + (list == &ops.set ? ".set" : ".add");
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string field = index_field(base, i);
      if (auto p = check_header_name((*list)[i].name)) return invalid(field + ".name", *p);
      if (auto p = check_header_value((*list)[i].value)) return invalid(field + ".value", *p);
    }
  }
  for (size_t i = 0; i < ops.remove.size(); ++i) {
    if (auto p = check_header_name(ops.remove[i])) {
      return invalid(index_field(path + ".remove", i), *p);
    }
  }
  return {};
}

Result<void> validate_backends(const Route& route, const std::string& path,
                               const RouteContext& context) {
  uint64_t total = 0;
  for (size_t i = 0; i < route.backends.size(); ++i) {
    const WeightedBackend& b = route.backends[i];
    const std::string field = index_field(path + ".backends", i);
    if (context.clusters->count(b.cluster) == 0) {
      return invalid(field + ".cluster", "unknown cluster \"" + b.cluster + "\"");
    }
    if (b.weight > 1000000) return invalid(field + ".weight", "must be between 0 and 1000000");
    total += b.weight;
  }
  if (total == 0) return invalid(path + ".backends", "weights must sum to more than 0");
  return {};
}

Result<void> validate_redirect(const Redirect& r, const std::string& path) {
  if (r.scheme && *r.scheme != "http" && *r.scheme != "https") {
    return invalid(path + ".scheme", "must be one of http, https");
  }
  if (r.hostname) {
    if (auto p = check_hostname(*r.hostname)) return invalid(path + ".hostname", *p);
  }
  if (r.port && *r.port == 0) return invalid(path + ".port", "must be between 1 and 65535");
  if (r.path) {
    if (auto p = check_path(*r.path, false)) return invalid(path + ".path", *p);
  }
  constexpr std::array<uint16_t, 5> kCodes = {301, 302, 303, 307, 308};
  if (std::find(kCodes.begin(), kCodes.end(), r.status_code) == kCodes.end()) {
    return invalid(path + ".statusCode", "must be one of 301, 302, 303, 307, 308");
  }
  return {};
}

// A pathPrefix rewrite needs a matched prefix, and fullPath may only name
// captures that every match provides, so a rewrite can never half-apply.
Result<void> validate_rewrite(const Route& route, const std::string& path) {
  const Rewrite& rw = route.rewrite;
  const bool any = rw.path_prefix || rw.full_path || rw.hostname;
  if (any && route.backends.empty()) return invalid(path, "only valid with backends");
  if (rw.path_prefix && rw.full_path) {
    return invalid(path, "only one of pathPrefix and fullPath may be set");
  }
  if (rw.path_prefix) {
    if (auto p = check_path(*rw.path_prefix, false)) return invalid(path + ".pathPrefix", *p);
    for (const Match& m : route.matches) {
      if (m.path.type != PathMatchType::kPathPrefix) {
        return invalid(path + ".pathPrefix", "requires every match to be PathPrefix");
      }
    }
  }
  if (rw.full_path) {
    const std::string field = path + ".fullPath";
    if (auto p = check_path(*rw.full_path, true)) return invalid(field, *p);
    auto names = template_references(*rw.full_path);
    if (!names.ok()) return invalid(field, names.error().message);
    for (const std::string& name : *names) {
      for (const Match& m : route.matches) {
        // A group number needs that many groups in every RegularExpression
        // match; a name, the capture in every Template match.
        const bool has = is_group_number(name)
                             ? m.path.type == PathMatchType::kRegularExpression &&
                                   regex_group_count(m.path.value) >= name[0] - '0'
                             : m.path.type == PathMatchType::kTemplate &&
                                   m.path.value.find("{" + name + "}") != std::string::npos;
        if (!has) return invalid(field, "capture \"" + name + "\" is not in every match");
      }
      if (route.matches.empty()) {
        return invalid(field, "capture \"" + name + "\" is not in every match");
      }
    }
  }
  if (rw.hostname) {
    if (auto p = check_hostname(*rw.hostname)) return invalid(path + ".hostname", *p);
  }
  return {};
}

// A part's path may only name captures that every match provides, as a
// rewrite's fullPath (docs/aggregation.md "Part requests").
Result<void> validate_part_captures(const Route& route, const std::string& path) {
  const std::vector<AggregatePart>& parts = route.policies.aggregate->parts;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string field = index_field(path, i) + ".path";
    auto names = template_references(parts[i].path);
    if (!names.ok()) return invalid(field, names.error().message);
    for (const std::string& name : *names) {
      const bool everywhere =
          !route.matches.empty() &&
          std::all_of(route.matches.begin(), route.matches.end(), [&](const Match& m) {
            return m.path.type == PathMatchType::kTemplate &&
                   m.path.value.find("{" + name + "}") != std::string::npos;
          });
      if (!everywhere) return invalid(field, "capture \"" + name + "\" is not in every match");
    }
  }
  return {};
}

// 0 disables a limit (route_timeouts.h); parse_duration already refuses
// negatives, a Snapshot built in code could still hold one.
Result<void> validate_timeouts(const Timeouts& t, const std::string& path) {
  const std::pair<const char*, const std::optional<Duration>*> all[] = {
      {".request", &t.request}, {".backendRequest", &t.backend_request}, {".idle", &t.idle}};
  for (const auto& [name, value] : all) {
    if (*value && (*value)->count() < 0) return invalid(path + name, "must not be negative");
  }
  return {};
}

// A match selects a version the route declares (the CRD's CEL rule).
Result<void> validate_match_versions(const Route& route, const std::string& path) {
  for (size_t i = 0; i < route.matches.size(); ++i) {
    const std::optional<std::string>& version = route.matches[i].version;
    if (!version) continue;
    const auto& versioning = route.policies.versioning;
    if (!versioning || versioning->find(*version) == nullptr) {
      return invalid(index_field(path + ".matches", i) + ".version",
                     "must name a version of policies.versioning");
    }
  }
  return {};
}

}  // namespace

Result<void> validate_route(const Route& route, const std::string& path, RouteContext& context) {
  if (route.name.empty()) return invalid(path + ".name", "must not be empty");
  if (!context.route_names->insert(route.name).second) {
    return invalid(path + ".name", "duplicate route name \"" + route.name + "\"");
  }
  for (size_t i = 0; i < route.matches.size(); ++i) {
    if (auto r = validate_match(route.matches[i], index_field(path + ".matches", i)); !r.ok()) {
      return r;
    }
  }
  const int actions =
      (route.backends.empty() ? 0 : 1) + (route.redirect ? 1 : 0) + (route.direct_response ? 1 : 0);
  if (route.policies.aggregate) {
    if (actions != 0) {
      return invalid(
          path + ".policies.aggregate",
          "is the route's action; backends, redirect and directResponse must not be set");
    }
    if (auto r = validate_part_captures(route, path + ".policies.aggregate.parts"); !r.ok()) {
      return r;
    }
  } else if (actions != 1) {
    return invalid(path, "must have exactly one of backends, redirect, directResponse");
  }
  if (!route.backends.empty()) {
    if (auto r = validate_backends(route, path, context); !r.ok()) return r;
  }
  if (route.redirect) {
    if (auto r = validate_redirect(*route.redirect, path + ".redirect"); !r.ok()) return r;
  }
  if (route.https_redirect) {
    constexpr std::array<uint16_t, 5> kCodes = {301, 302, 303, 307, 308};
    if (std::find(kCodes.begin(), kCodes.end(), *route.https_redirect) == kCodes.end()) {
      return invalid(path + ".httpsRedirect", "must be one of 301, 302, 303, 307, 308");
    }
  }
  if (route.direct_response) {
    const DirectResponse& d = *route.direct_response;
    if (d.status < 200 || d.status > 599) {
      return invalid(path + ".directResponse.status", "must be between 200 and 599");
    }
    if (auto p = check_header_value(d.content_type)) {
      return invalid(path + ".directResponse.contentType", *p);
    }
  }
  if (auto r = validate_rewrite(route, path + ".rewrite"); !r.ok()) return r;
  if (auto r = validate_header_ops(route.request_headers, path + ".requestHeaders"); !r.ok()) {
    return r;
  }
  if (auto r = validate_header_ops(route.response_headers, path + ".responseHeaders"); !r.ok()) {
    return r;
  }
  if (auto r = validate_timeouts(route.timeouts, path + ".timeouts"); !r.ok()) return r;
  const std::string policies = path + ".policies";
  if (auto r = validate(route.policies, policies, *context.clusters); !r.ok()) return r;
  if (auto r = validate_match_versions(route, path); !r.ok()) return r;
  return check_enforced(route.policies, policies);
}

}  // namespace archway::config
