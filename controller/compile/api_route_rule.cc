#include "controller/compile/api_route_rule.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <unordered_set>
#include <utility>

#include "controller/compile/auth_resolver.h"
#include "controller/compile/backend_resolver.h"
#include "controller/compile/cluster_tag.h"
#include "controller/compile/json_access.h"
#include "proxy/config/field_checks.h"
#include "proxy/config/path_template.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_names.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::controller::compile {
namespace {

// loadBalancer and healthCheck are not route policies of the snapshot
// (they sit on the clusters), but like one a rule's value replaces the
// default's whole.
bool is_policy(std::string_view key) {
  return key == "loadBalancer" || key == "healthCheck" ||
         std::find(std::begin(config::kPolicyNames), std::end(config::kPolicyNames), key) !=
             std::end(config::kPolicyNames);
}

// Parsing state for one rule: the first rejection wins. Every step that
// returns false has set `rejection` through reject().
struct RuleParser {
  const std::string& field;
  TranslatedRule& out;
  // Policies the snapshot carries typed (snapshot.h Route::policies), named
  // by config::kPolicyNames, and auth methods ("auth.jwt"). The proxy's own
  // list says which it enforces; naming the others keeps the condition
  // message honest.
  const PolicyEnforced& policy_enforced;
  // Capture names per match: rewrite.fullPath may only use a name that every
  // match captures (the proxy enforces the same; a non-Template match
  // captures nothing).
  std::vector<std::set<std::string>> captures;
  bool all_prefix = true;
  std::optional<Problem> rejection;
  bool auth_unresolved = false;  // an auth Secret dangles: the rule answers 503
  std::optional<config::LoadBalancer> load_balancer;  // the rule's, when not the default
  std::optional<config::HealthCheck> health_check;    // the rule's (defaults merged)

  bool enforced(std::string_view policy) const { return is_enforced(policy_enforced, policy); }

  bool reject(Reason reason, std::string message) {
    if (!rejection) rejection = Problem{reason, std::move(message)};
    return false;
  }

  bool value_match(const Json& j, const std::string& at, config::ValueMatch& v) {
    v.name = str(j, "name");
    const std::string type = str(j, "type", "Exact");
    v.value = str(j, "value");
    if (v.name.empty()) return reject(Reason::kInvalidValue, at + ".name: must not be empty");
    if (type == "Exact") {
      v.type = config::ValueMatchType::kExact;
    } else if (type == "RegularExpression") {
      v.type = config::ValueMatchType::kRegularExpression;
      if (auto err = config::check_regex(v.value)) {
        return reject(Reason::kInvalidRegex,
                      at + ".value: invalid regular expression \"" + v.value + "\": " + *err);
      }
    } else if (type == "Present") {
      v.type = config::ValueMatchType::kPresent;
    } else {
      return reject(Reason::kUnsupportedValue, at + ".type: unsupported value \"" + type + "\"");
    }
    return true;
  }

  bool path_match(const Json& j, const std::string& at, config::PathMatch& p) {
    const std::string type = str(j, "type", "PathPrefix");
    p.value = str(j, "value", "/");
    if (type == "RegularExpression") {
      p.type = config::PathMatchType::kRegularExpression;
      all_prefix = false;
      if (auto err = config::check_regex(p.value)) {
        return reject(Reason::kInvalidRegex,
                      at + ".value: invalid regular expression \"" + p.value + "\": " + *err);
      }
      return true;
    }
    if (p.value.empty() || p.value[0] != '/') {
      return reject(Reason::kInvalidValue, at + ".value: \"" + p.value + "\" must start with '/'");
    }
    if (type == "Exact") {
      p.type = config::PathMatchType::kExact;
      all_prefix = false;
    } else if (type == "PathPrefix") {
      p.type = config::PathMatchType::kPathPrefix;
      // Segment-aware prefix: "/foo/" and "/foo" mean the same thing.
      while (p.value.size() > 1 && p.value.back() == '/') p.value.pop_back();
    } else if (type == "Template") {
      p.type = config::PathMatchType::kTemplate;
      all_prefix = false;
      auto segments = config::parse_path_template(p.value);
      if (!segments.ok()) {
        return reject(Reason::kInvalidTemplate, at + ".value: invalid template \"" + p.value +
                                                    "\": " + segments.error().message);
      }
      for (const config::TemplateSegment& segment : *segments) {
        if (segment.capture) captures.back().insert(segment.text);
      }
    } else {
      return reject(Reason::kUnsupportedValue, at + ".type: unsupported value \"" + type + "\"");
    }
    return true;
  }

  bool matches(const Json& rule, config::Route& route) {
    const Json& list = array(rule, "matches");
    if (list.empty()) {
      route.matches.push_back(config::Match{});  // every request: PathPrefix "/"
      captures.emplace_back();
      return true;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = field + ".matches[" + std::to_string(i) + "]";
      config::Match m;
      captures.emplace_back();
      if (!path_match(object(list[i], "path"), at + ".path", m.path)) return false;
      for (const Json& method : array(list[i], "methods")) {
        if (method.is_string()) m.methods.push_back(upper(method.get<std::string>()));
      }
      const Json& headers = array(list[i], "headers");
      for (size_t h = 0; h < headers.size(); ++h) {
        config::ValueMatch v;
        if (!value_match(headers[h], at + ".headers[" + std::to_string(h) + "]", v)) return false;
        v.name = lower(v.name);  // header names are case-insensitive
        m.headers.push_back(std::move(v));
      }
      const Json& query = array(list[i], "queryParams");
      for (size_t q = 0; q < query.size(); ++q) {
        config::ValueMatch v;
        if (!value_match(query[q], at + ".queryParams[" + std::to_string(q) + "]", v)) {
          return false;
        }
        m.query_params.push_back(std::move(v));
      }
      route.matches.push_back(std::move(m));
    }
    return true;
  }

  bool header_ops(const Json& j, const std::string& at, config::HeaderOps& ops) {
    for (const char* verb : {"set", "add"}) {
      for (const Json& h : array(j, verb)) {
        config::HeaderValue hv{str(h, "name"), str(h, "value")};
        if (hv.name.empty() || hv.name.find_first_of(" :\r\n\t") != std::string::npos) {
          return reject(Reason::kInvalidValue,
                        at + "." + verb + ": invalid header name \"" + hv.name + "\"");
        }
        if (hv.value.find_first_of("\r\n") != std::string::npos) {
          return reject(Reason::kInvalidValue, at + "." + verb + ": header value of \"" + hv.name +
                                                   "\" contains a line break");
        }
        (std::string(verb) == "set" ? ops.set : ops.add).push_back(std::move(hv));
      }
    }
    for (const Json& name : array(j, "remove")) {
      if (name.is_string()) ops.remove.push_back(name.get<std::string>());
    }
    return true;
  }

  bool duration(const Json& j, const char* key, std::optional<config::Duration>& out_value) {
    const Json* v = member(j, key);
    if (v == nullptr) return true;
    auto parsed = config::parse_duration(v->is_string() ? v->get<std::string>() : v->dump());
    if (!parsed.ok()) {
      return reject(Reason::kInvalidValue,
                    field + ".timeouts." + key + ": " + parsed.error().message);
    }
    out_value = *parsed;
    return true;
  }

  // The rule's loadBalancer, decoded and validated by the proxy's own
  // codec; the default (LeastRequest, nothing else set) is left unset so
  // that such rules share the Service port's plain cluster.
  bool balancing(const Json& rule) {
    const Json* json = member(rule, "loadBalancer");
    if (json == nullptr) return true;
    const std::string at = field + ".loadBalancer";
    if (member(rule, "aggregate") != nullptr) {
      return reject(Reason::kInvalidValue,
                    at + ": applies to backends; an aggregate's parts are balanced round robin");
    }
    auto parsed = config::parse_policy<config::LoadBalancer>(*json, at);
    if (!parsed.ok()) return reject(Reason::kInvalidValue, parsed.error().to_string());
    if (*parsed != config::LoadBalancer{}) load_balancer = std::move(*parsed);
    return true;
  }

  // The rule's healthCheck, decoded and validated by the proxy's own
  // codec. Probes speak cleartext HTTP/1.1 (docs/resilience.md "Health
  // checks"): H2C and HTTPS backends are refused in backends().
  bool health_checking(const Json& rule) {
    const Json* json = member(rule, "healthCheck");
    if (json == nullptr) return true;
    const std::string at = field + ".healthCheck";
    if (member(rule, "aggregate") != nullptr) {
      return reject(Reason::kInvalidValue,
                    at + ": applies to backends; an aggregate's parts are not health checked");
    }
    auto parsed = config::parse_policy<config::HealthCheck>(*json, at);
    if (!parsed.ok()) return reject(Reason::kInvalidValue, parsed.error().to_string());
    health_check = std::move(*parsed);
    return true;
  }

  bool backends(const Json& rule, const ObjectKey& route_key, const ClusterState& state,
                config::Route& route) {
    const Json& list = array(rule, "backends");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = field + ".backends[" + std::to_string(i) + "]";
      BackendRef ref = api_route_backend_ref(list[i], route_key.ns);
      const std::string protocol = str(list[i], "protocol", "HTTP");
      if (protocol == "H2C") {
        ref.protocol = config::ClusterProtocol::kH2c;
      } else if (protocol == "HTTPS") {
        ref.protocol = config::ClusterProtocol::kHttps;
      } else if (protocol != "HTTP") {
        return reject(Reason::kUnsupportedValue,
                      at + ".protocol: unsupported value \"" + protocol + "\"");
      }
      if (ref.service.empty() || !ref.port_number) {
        return reject(Reason::kInvalidValue, at + ": name and port are required");
      }
      auto weight = integer(list[i], "weight").value_or(1);
      if (weight < 0 || weight > 1000000) {
        return reject(Reason::kInvalidValue, at + ".weight: must be between 0 and 1000000");
      }
      ResolvedBackend resolved = resolve_backend(state, ref);
      if (resolved.problem) {
        resolved.problem->message = at + ": " + resolved.problem->message;
        out.unresolved.push_back(*resolved.problem);
      }
      // A rule that balances other than the default, or health checks, gets
      // clusters of its own (cluster_tag.h): "lb-<tag>", then "hc-<tag>".
      if (load_balancer) {
        resolved.cluster.name =
            tagged_cluster_name(resolved.cluster.name, "lb", config::to_json(*load_balancer));
        resolved.cluster.load_balancer = load_balancer;
      }
      if (health_check) {
        if (ref.protocol != config::ClusterProtocol::kHttp1) {
          return reject(Reason::kUnsupportedValue,
                        field + ".healthCheck: health checks probe over cleartext HTTP/1.1 " +
                            "only for now, and " + at + " uses protocol " + protocol);
        }
        resolved.cluster.name =
            tagged_cluster_name(resolved.cluster.name, "hc", config::to_json(*health_check));
        resolved.cluster.health_check = health_check;
      }
      route.backends.push_back({resolved.cluster.name, static_cast<uint32_t>(weight)});
      if (resolved.endpoints_from) {
        out.endpoint_sources.emplace(resolved.cluster.name, *resolved.endpoints_from);
      }
      out.clusters.push_back(std::move(resolved.cluster));
    }
    return true;
  }

  // A template (rewrite.fullPath, an aggregate part's path) may only name
  // captures that every match provides.
  bool captured_everywhere(const std::string& text, const std::string& at) {
    auto used = config::template_references(text);
    if (!used.ok()) return reject(Reason::kInvalidTemplate, at + ": " + used.error().message);
    for (const auto& name : *used) {
      for (const auto& names : captures) {
        if (!names.count(name)) {
          return reject(Reason::kInvalidTemplate,
                        at + ": {" + name + "} is not captured by every match");
        }
      }
    }
    return true;
  }

  // aggregate names Services per part; the snapshot names the clusters they
  // resolve to. The rest of the policy is decoded and checked by the
  // proxy's own codec, on the snapshot form built here. Parts speak
  // cleartext HTTP/1.1 only (the outbound client's reach,
  // docs/aggregation.md "Limits").
  bool aggregate(const Json& json, const ObjectKey& route_key, const ClusterState& state,
                 config::Route& route) {
    const std::string at = field + ".aggregate";
    if (!json.is_object()) return reject(Reason::kInvalidValue, at + ": must be an object");
    Json snapshot_form = json;
    const Json& parts = array(json, "parts");
    std::unordered_set<std::string> clusters;
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string part_at = at + ".parts[" + std::to_string(i) + "]";
      if (!parts[i].is_object())
        return reject(Reason::kInvalidValue, part_at + ": must be an object");
      const Json& backend = object(parts[i], "backend");
      BackendRef ref = api_route_backend_ref(backend, route_key.ns);
      if (const std::string protocol = str(backend, "protocol", "HTTP"); protocol != "HTTP") {
        return reject(Reason::kUnsupportedValue,
                      part_at +
                          ".backend.protocol: aggregate parts are fetched over "
                          "cleartext HTTP/1.1 only, not \"" +
                          protocol + "\"");
      }
      if (ref.service.empty() || !ref.port_number) {
        return reject(Reason::kInvalidValue, part_at + ".backend: name and port are required");
      }
      ResolvedBackend resolved = resolve_backend(state, ref);
      if (resolved.problem) {
        resolved.problem->message = part_at + ".backend: " + resolved.problem->message;
        out.unresolved.push_back(*resolved.problem);
      }
      if (!captured_everywhere(str(parts[i], "path"), part_at + ".path")) return false;
      Json& part = snapshot_form["parts"][i];
      part.erase("backend");
      part["cluster"] = resolved.cluster.name;
      clusters.insert(resolved.cluster.name);
      if (resolved.endpoints_from) {
        out.endpoint_sources.emplace(resolved.cluster.name, *resolved.endpoints_from);
      }
      out.clusters.push_back(std::move(resolved.cluster));
    }
    config::Decoder decoder;
    config::Aggregate decoded;
    config::decode(decoder, snapshot_form, at, decoded);
    if (decoder.failed()) return reject(Reason::kInvalidValue, decoder.error().to_string());
    if (auto valid = config::validate(decoded, at, clusters); !valid.ok()) {
      return reject(Reason::kInvalidValue, valid.error().to_string());
    }
    route.policies.aggregate = std::move(decoded);
    return true;
  }

  bool action(const Json& rule, const ObjectKey& route_key, const ClusterState& state,
              config::Route& route) {
    const Json* redirect = member(rule, "redirect");
    const Json* direct = member(rule, "directResponse");
    const Json* composed = member(rule, "aggregate");
    const int actions = (array(rule, "backends").empty() ? 0 : 1) + (redirect ? 1 : 0) +
                        (direct ? 1 : 0) + (composed ? 1 : 0);
    if (actions != 1) {
      return reject(Reason::kInvalidValue,
                    field +
                        ": exactly one of backends, redirect, directResponse or aggregate is "
                        "required");
    }
    if (composed != nullptr) return aggregate(*composed, route_key, state, route);
    if (redirect != nullptr) {
      config::Redirect r;
      if (auto s = str(*redirect, "scheme"); !s.empty()) r.scheme = lower(s);
      if (auto h = str(*redirect, "hostname"); !h.empty()) r.hostname = lower(h);
      if (auto p = str(*redirect, "path"); !p.empty()) r.path = p;
      if (auto port = integer(*redirect, "port")) r.port = static_cast<uint16_t>(*port);
      const auto code = integer(*redirect, "statusCode").value_or(302);
      if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
        return reject(Reason::kInvalidValue,
                      field + ".redirect.statusCode: must be 301, 302, 303, 307 or 308");
      }
      r.status_code = static_cast<uint16_t>(code);
      route.redirect = std::move(r);
      return true;
    }
    if (direct != nullptr) {
      config::DirectResponse d;
      const auto status = integer(*direct, "status").value_or(200);
      if (status < 100 || status > 599) {
        return reject(Reason::kInvalidValue, field + ".directResponse.status: must be 100..599");
      }
      d.status = static_cast<uint16_t>(status);
      d.body = str(*direct, "body");
      d.content_type = str(*direct, "contentType", d.content_type);
      route.direct_response = std::move(d);
      return true;
    }
    return backends(rule, route_key, state, route);
  }

  bool rewrite(const Json& rule, config::Route& route) {
    const Json* rw = member(rule, "rewrite");
    if (rw == nullptr) return true;
    if (auto prefix = str(*rw, "pathPrefix"); member(*rw, "pathPrefix")) {
      if (!all_prefix) {
        return reject(Reason::kInvalidValue,
                      field + ".rewrite.pathPrefix: needs every match to be a PathPrefix match");
      }
      route.rewrite.path_prefix = prefix;
    }
    if (const Json* full = member(*rw, "fullPath"); full != nullptr && full->is_string()) {
      const std::string text = full->get<std::string>();
      auto used = config::template_references(text);
      if (!used.ok()) {
        return reject(Reason::kInvalidTemplate,
                      field + ".rewrite.fullPath: " + used.error().message);
      }
      for (const auto& name : *used) {
        for (const auto& names : captures) {
          if (!names.count(name)) {
            return reject(Reason::kInvalidTemplate, field + ".rewrite.fullPath: {" + name +
                                                        "} is not captured by every match");
          }
        }
      }
      route.rewrite.full_path = text;
    }
    if (auto host = str(*rw, "hostname"); !host.empty()) route.rewrite.hostname = lower(host);
    return true;
  }

  // The policies the proxy carries typed, decoded and checked by the proxy's
  // own decoders (config/policies/codec.h), so the controller and the proxy
  // accept the same thing. The CRD's schema and CEL rules catch most
  // mistakes first; this is the backstop, naming spec.rules[i].<policy>.<field>.
  template <typename Policy>
  bool typed_policy(const Json& rule, std::string_view key, std::optional<Policy>& out_policy) {
    const Json* json = member(rule, key);
    if (json == nullptr) return true;
    auto parsed = config::parse_policy<Policy>(*json, field + "." + std::string(key));
    if (!parsed.ok()) return reject(Reason::kInvalidValue, parsed.error().to_string());
    out_policy = std::move(*parsed);
    return true;
  }

  // Fail closed on auth: a rule that asks for authentication must never serve
  // unauthenticated traffic. A method the proxy does not enforce rejects the
  // route (PolicyNotEnforced); a Secret the method needs that is missing or
  // unusable closes this rule (ResolvedRefs=False, close_rule) while the
  // route's other rules serve.
  bool auth(const Json& rule, const ObjectKey& route_key, const ClusterState& state,
            config::Route& route) {
    const Json* json = member(rule, "auth");
    if (json == nullptr) return true;
    const std::string at = field + ".auth";
    if (!json->is_object()) return reject(Reason::kInvalidValue, at + ": must be an object");
    auto method = auth_method(*json, at);
    if (!method.ok()) return reject(method.error().reason, method.error().message);
    if (method->empty()) return true;  // `auth: {}`: this rule turns a default auth off
    const std::string policy = "auth." + *method;
    if (!enforced(policy)) {
      return reject(Reason::kPolicyNotEnforced,
                    at + ": authentication is not enforced by this proxy version for " + policy +
                        " yet; the rule is not served rather than served without "
                        "authentication");
    }
    auto resolved = resolve_auth(*json, at, route_key.ns, state);
    if (!resolved.ok()) {
      if (!is_reference_problem(resolved.error())) {
        return reject(resolved.error().reason, resolved.error().message);
      }
      out.unresolved.push_back(resolved.error());
      auth_unresolved = true;
      return true;
    }
    route.policies.auth = std::move(*resolved);
    return true;
  }

  // A limit keyed on the caller needs the rule (defaults merged) to
  // authenticate, as the proxy's validation says (docs/ratelimit.md "Keys");
  // judged on the rule as written, so a Secret still missing changes nothing.
  bool rate_limit_key_has_its_auth(const Json& rule, const config::RoutePolicies& policies) {
    if (!policies.rate_limit) return true;
    const Json* auth = member(rule, "auth");
    const bool authenticates = auth != nullptr && auth->is_object() && !auth->empty();
    const auto key = policies.rate_limit->key;
    if (key == config::RateLimitKey::kApiKey && !(authenticates && member(*auth, "apiKey"))) {
      return reject(Reason::kInvalidValue,
                    field + ".rateLimit.key: APIKey needs auth.apiKey on the same rule");
    }
    if (key == config::RateLimitKey::kUser && !authenticates) {
      return reject(Reason::kInvalidValue,
                    field + ".rateLimit.key: User needs auth on the same rule");
    }
    return true;
  }

  bool typed_policies(const Json& rule, config::RoutePolicies& policies) {
    return typed_policy(rule, "cors", policies.cors) &&
           typed_policy(rule, "retries", policies.retries) &&
           typed_policy(rule, "circuitBreaker", policies.circuit_breaker) &&
           typed_policy(rule, "rateLimit", policies.rate_limit) &&
           typed_policy(rule, "cache", policies.cache) &&
           typed_policy(rule, "requestBody", policies.request_body) &&
           typed_policy(rule, "responseBody", policies.response_body);
  }
};

// A rule that cannot authenticate answers 503 on its own matches, with
// nothing else of it kept. Leaving it out instead would let its requests
// fall through to a broader rule of the same host that does not
// authenticate ("/" catching "/admin").
void close_rule(TranslatedRule& rule) {
  config::Route closed;
  closed.matches = std::move(rule.route.matches);
  closed.direct_response = config::DirectResponse{
      503, R"({"error":"service unavailable","status":503})", "application/json"};
  rule.route = std::move(closed);
  rule.clusters.clear();
}

}  // namespace

Json merge_defaults(const Json& defaults, const Json& rule) {
  if (!defaults.is_object() || !rule.is_object()) return rule.is_null() ? defaults : rule;
  Json merged = defaults;
  for (auto it = rule.begin(); it != rule.end(); ++it) {
    auto existing = merged.find(it.key());
    // A policy the rule sets replaces the default whole (docs/apiroute.md):
    // `auth: {}` in a rule turns a default auth off, it does not inherit it.
    if (!is_policy(it.key()) && existing != merged.end() && existing->is_object() &&
        it->is_object()) {
      *existing = merge_defaults(*existing, *it);
    } else {
      merged[it.key()] = *it;
    }
  }
  return merged;
}

Result<TranslatedRule, Problem> translate_rule(const Json& rule, const std::string& field,
                                               const ObjectKey& route_key,
                                               const ClusterState& state,
                                               const PolicyEnforced& enforced) {
  TranslatedRule out;
  RuleParser p{field, out, enforced, {}, true, {}, false, {}, {}};
  p.captures.reserve(array(rule, "matches").size());
  config::Route& route = out.route;
  // aggregate is the rule's action (instead of backends), so it is judged
  // before the action: until the proxy enforces it the rule is not served,
  // and says so rather than "exactly one of backends, ...".
  if (member(rule, "aggregate") != nullptr && !p.enforced("aggregate")) {
    p.reject(Reason::kPolicyNotEnforced,
             field +
                 ".aggregate: aggregation is not enforced by this proxy version yet; the rule "
                 "is not served");
    return *std::move(p.rejection);
  }
  if (!p.matches(rule, route) || !p.balancing(rule) || !p.health_checking(rule) ||
      !p.action(rule, route_key, state, route) || !p.rewrite(rule, route) ||
      !p.header_ops(object(rule, "requestHeaders"), field + ".requestHeaders",
                    route.request_headers) ||
      !p.header_ops(object(rule, "responseHeaders"), field + ".responseHeaders",
                    route.response_headers)) {
    return *std::move(p.rejection);
  }
  const Json& timeouts = object(rule, "timeouts");
  if (!p.duration(timeouts, "request", route.timeouts.request) ||
      !p.duration(timeouts, "backendRequest", route.timeouts.backend_request) ||
      !p.duration(timeouts, "idle", route.timeouts.idle) ||
      !p.duration(timeouts, "connect", out.connect_timeout)) {
    return *std::move(p.rejection);
  }
  if (out.connect_timeout && out.connect_timeout->count() <= 0) {
    // A connection attempt must end: the kernel's own limit is minutes.
    p.reject(Reason::kInvalidValue, field + ".timeouts.connect: must be greater than 0s");
    return *std::move(p.rejection);
  }
  if (!p.auth(rule, route_key, state, route) || !p.typed_policies(rule, route.policies) ||
      !p.rate_limit_key_has_its_auth(rule, route.policies)) {
    return *std::move(p.rejection);
  }
  for (const std::string_view key : config::kPolicyNames) {
    // auth is enforced per method, judged above.
    if (key != "auth" && member(rule, key) && !p.enforced(key)) {
      out.unenforced.push_back(field + "." + std::string(key));
    }
  }
  if (p.auth_unresolved) close_rule(out);
  return out;
}

}  // namespace archway::controller::compile
