#include "controller/cli/route_probe.h"

#include <memory>

#include "proxy/config/snapshot_names.h"
#include "proxy/config/validated_snapshot.h"
#include "proxy/routing/route_table.h"

namespace archway::controller::cli {
namespace {

// Matches `request` against a table holding one route with `match` alone,
// on a virtual host for any host name (the host is judged elsewhere).
bool holds_alone(config::Match match, const ProbeRequest& request) {
  match.version.reset();
  config::Route route;
  route.name = route.route_name = route.rule_name = "probe";
  route.matches.push_back(std::move(match));
  route.direct_response = config::DirectResponse{};
  config::Snapshot snapshot;
  snapshot.version = "probe";
  snapshot.virtual_hosts.push_back(config::VirtualHost{"probe", {"*"}, std::nullopt, {route}});
  auto validated = config::validate_snapshot(std::move(snapshot));
  if (!validated.ok()) return false;  // cannot happen for a compiled route's match
  auto table = routing::RouteTable::compile(*validated);
  if (!table.ok()) return false;
  std::vector<routing::HeaderField> fields;
  fields.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) fields.push_back({name, value});
  const std::string_view host =
      request.host.empty() ? std::string_view("probe") : std::string_view(request.host);
  const routing::RequestHead head{request.method, host, request.path, request.query, fields};
  return (*table)->match(head).has_value();
}

config::Match any_path() {
  config::Match m;
  m.path = config::PathMatch{config::PathMatchType::kPathPrefix, "/"};
  return m;
}

const std::string* header_value(const ProbeRequest& request, const std::string& name) {
  std::string lower = name;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  for (const auto& [n, v] : request.headers) {
    if (n == lower) return &v;
  }
  return nullptr;
}

std::string describe_value(const config::ValueMatch& v) {
  if (v.type == config::ValueMatchType::kPresent) return v.name + " present";
  return v.name + "=" + value_type_name(v.type) + ":" + v.value;
}

std::string value_failure(const char* what, const config::ValueMatch& v, const std::string* got) {
  if (got == nullptr) return std::string(what) + " " + v.name + " is missing";
  if (v.type == config::ValueMatchType::kPresent)
    return std::string(what) + " " + v.name + " did not match";
  return std::string(what) + " " + v.name + " did not match: \"" + *got + "\" is not " +
         value_type_name(v.type) + " \"" + v.value + "\"";
}

}  // namespace

// The snapshot's own spellings (config/snapshot_names.h), as an APIRoute
// writes them.
std::string path_type_name(config::PathMatchType type) {
  return std::string(config::to_string(type));
}

std::string value_type_name(config::ValueMatchType type) {
  return std::string(config::to_string(type));
}

std::string describe_path(const config::PathMatch& path) {
  return path_type_name(path.type) + " " + path.value;
}

std::string describe_match(const config::Match& match) {
  std::string out = describe_path(match.path);
  if (!match.methods.empty()) {
    out += ", ";
    for (size_t i = 0; i < match.methods.size(); ++i) out += (i ? "|" : "") + match.methods[i];
  }
  for (const auto& h : match.headers) out += ", header " + describe_value(h);
  for (const auto& q : match.query_params) out += ", query " + describe_value(q);
  if (match.version) out += ", version " + *match.version;
  return out;
}

bool path_matches(const config::PathMatch& path, const ProbeRequest& request) {
  config::Match alone;
  alone.path = path;
  return holds_alone(std::move(alone), request);
}

std::optional<std::string> failed_condition(const config::Match& match,
                                            const ProbeRequest& request) {
  if (!path_matches(match.path, request)) {
    return "path " + request.path + " does not match " + describe_path(match.path);
  }
  if (!match.methods.empty()) {
    config::Match alone = any_path();
    alone.methods = match.methods;
    if (!holds_alone(std::move(alone), request)) {
      std::string list;
      for (size_t i = 0; i < match.methods.size(); ++i) list += (i ? ", " : "") + match.methods[i];
      return "method " + request.method + " is not one of " + list;
    }
  }
  for (const auto& header : match.headers) {
    config::Match alone = any_path();
    alone.headers = {header};
    if (!holds_alone(std::move(alone), request)) {
      return value_failure("header", header, header_value(request, header.name));
    }
  }
  for (const auto& param : match.query_params) {
    config::Match alone = any_path();
    alone.query_params = {param};
    if (!holds_alone(std::move(alone), request)) {
      // The query's raw value for the message only; the verdict is the proxy's.
      std::optional<std::string> got;
      const std::string& q = request.query;
      for (size_t start = 0; start <= q.size();) {
        size_t end = q.find('&', start);
        if (end == std::string::npos) end = q.size();
        const std::string pair = q.substr(start, end - start);
        const size_t eq = pair.find('=');
        if (pair.substr(0, eq) == param.name && !got) {
          got = eq == std::string::npos ? "" : pair.substr(eq + 1);
        }
        start = end + 1;
      }
      return value_failure("query parameter", param, got ? &*got : nullptr);
    }
  }
  return std::nullopt;
}

std::optional<size_t> matching_index(const config::Route& route, const ProbeRequest& request) {
  for (size_t i = 0; i < route.matches.size(); ++i) {
    if (!failed_condition(route.matches[i], request)) return i;
  }
  return std::nullopt;
}

}  // namespace archway::controller::cli
