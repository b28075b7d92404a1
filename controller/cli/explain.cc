#include "controller/cli/explain.h"

#include "controller/cli/precedence.h"

#include <algorithm>
#include <memory>

#include "controller/compile/reason.h"
#include "proxy/config/snapshot_parser.h"
#include "proxy/filters/registry.h"
#include "proxy/routing/path_normalize.h"
#include "proxy/routing/route_table.h"

namespace archway::controller::cli {
namespace {

// One rule of one object on one host, as that object would serve it alone.
// An object that compile refuses even alone has no rules: one Candidate per
// host it names, without a route.
struct Candidate {
  ObjectRef object;
  const compile::ObjectVerdict* verdict = nullptr;  // from the whole cluster's compile
  std::string domain;
  std::optional<config::Route> route;
};

// The hosts an object names in its spec ("*" when none).
std::vector<std::string> spec_hosts(const nlohmann::json& object, bool is_route) {
  std::vector<std::string> hosts;
  const auto spec = object.value("spec", nlohmann::json::object());
  if (is_route) {
    for (const auto& h : spec.value("hostnames", nlohmann::json::array())) {
      if (h.is_string()) hosts.push_back(h.get<std::string>());
    }
  } else {
    for (const auto& rule : spec.value("rules", nlohmann::json::array())) {
      if (rule.is_object()) hosts.push_back(rule.value("host", "*"));
    }
  }
  if (hosts.empty()) hosts.push_back("*");
  return hosts;
}

// The index of the virtual host the proxy picks for `host`, if any.
std::optional<size_t> selected_host(const config::Snapshot& snapshot, const std::string& host) {
  std::optional<size_t> best;
  int best_rank = -1;
  for (size_t i = 0; i < snapshot.virtual_hosts.size(); ++i) {
    for (const auto& domain : snapshot.virtual_hosts[i].domains) {
      if (const int rank = domain_rank(domain, host); rank > best_rank) {
        best_rank = rank;
        best = i;
      }
    }
  }
  return best;
}

std::string best_domain(const config::VirtualHost& vhost, const std::string& host) {
  std::string best = vhost.domains.empty() ? "*" : vhost.domains.front();
  int best_rank = -1;
  for (const auto& domain : vhost.domains) {
    if (const int rank = domain_rank(domain, host); rank > best_rank) {
      best_rank = rank;
      best = domain;
    }
  }
  return best;
}

std::string protocol_name(config::ClusterProtocol protocol) {
  switch (protocol) {
    case config::ClusterProtocol::kHttp1:
      return "HTTP";
    case config::ClusterProtocol::kH2c:
      return "H2C";
    case config::ClusterProtocol::kHttps:
      return "HTTPS";
  }
  return "HTTP";
}

const config::Cluster* find_cluster(const config::Snapshot& snapshot, const std::string& name) {
  for (const auto& cluster : snapshot.clusters) {
    if (cluster.name == name) return &cluster;
  }
  return nullptr;
}

// Cluster names are "namespace/service/port[/...]" (backend_resolver.h).
BackendView backend_view(const config::WeightedBackend& backend, const config::Snapshot& snapshot) {
  BackendView view;
  view.cluster = backend.cluster;
  view.weight = backend.weight;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t slash = backend.cluster.find('/', start);
    parts.push_back(backend.cluster.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() >= 3) {
    view.service = parts[0] + "/" + parts[1];
    view.port = parts[2];
  } else {
    view.service = backend.cluster;
  }
  const config::Cluster* cluster = find_cluster(snapshot, backend.cluster);
  view.protocol = protocol_name(cluster ? cluster->protocol : config::ClusterProtocol::kHttp1);
  return view;
}

std::vector<std::string> backend_policies(const config::Route& route,
                                          const config::Snapshot& snapshot) {
  std::vector<std::string> out;
  const auto& t = route.timeouts;
  if (t.request || t.backend_request || t.idle) {
    std::string text = "timeouts(";
    const char* sep = "";
    auto add = [&](const char* name, const std::optional<config::Duration>& d) {
      if (!d) return;
      text += sep + std::string(name) + "=" + config::format_duration(*d);
      sep = ", ";
    };
    add("request", t.request);
    add("backendRequest", t.backend_request);
    add("idle", t.idle);
    out.push_back(text + ")");
  }
  if (route.policies.retries) out.push_back("retries");
  if (route.policies.circuit_breaker) out.push_back("circuitBreaker");
  for (const auto& backend : route.backends) {
    const config::Cluster* cluster = find_cluster(snapshot, backend.cluster);
    if (cluster == nullptr) continue;
    if (cluster->load_balancer && std::find(out.begin(), out.end(), "loadBalancer") == out.end()) {
      out.push_back("loadBalancer");
    }
    if (cluster->health_check && std::find(out.begin(), out.end(), "healthCheck") == out.end()) {
      out.push_back("healthCheck");
    }
  }
  return out;
}

void describe_action(const config::Route& route, const config::Snapshot& snapshot, Winner& w) {
  if (route.policies.aggregate) {
    w.action = "aggregate";
  } else if (route.redirect) {
    const auto& r = *route.redirect;
    w.action = "redirect";
    w.action_detail = std::to_string(r.status_code);
    if (r.scheme) w.action_detail += " scheme=" + *r.scheme;
    if (r.hostname) w.action_detail += " hostname=" + *r.hostname;
    if (r.port) w.action_detail += " port=" + std::to_string(*r.port);
    if (r.path) w.action_detail += " path=" + *r.path;
  } else if (route.direct_response) {
    w.action = "directResponse";
    w.action_detail = std::to_string(route.direct_response->status);
  } else {
    w.action = "backends";
    for (const auto& backend : route.backends)
      w.backends.push_back(backend_view(backend, snapshot));
  }
}

ObjectRef object_of(const compile::ObjectVerdict& v) { return {v.kind, v.key.ns, v.key.name}; }

// Every rule of every object of ours, each object compiled alone against
// the rest of the cluster (Services, Secrets, classes) with no other route:
// what it would serve if it won every conflict.
std::vector<Candidate> candidates(const ClusterState& state,
                                  const std::vector<compile::ObjectVerdict>& verdicts,
                                  const compile::CompileOptions& options) {
  std::vector<Candidate> out;
  ClusterState work = state;
  work.api_routes.clear();
  work.ingresses.clear();
  for (const auto& verdict : verdicts) {
    const bool is_route = verdict.kind == "APIRoute";
    const ObjectMap& from = is_route ? state.api_routes : state.ingresses;
    ObjectMap& into = is_route ? work.api_routes : work.ingresses;
    const auto it = from.find(verdict.key);
    if (it == from.end()) continue;
    into.emplace(it->first, it->second);
    const auto alone = compile::compile(work, options, {});
    into.clear();
    const std::string route_name = verdict.key.ns + "/" + verdict.key.name;
    if (!verdict.accepted && !alone.verdicts.empty() && !alone.verdicts.front().accepted) {
      for (const auto& host : spec_hosts(it->second, is_route)) {
        out.push_back(Candidate{object_of(verdict), &verdict, host, std::nullopt});
      }
      continue;
    }
    for (const auto& vhost : alone.snapshot.virtual_hosts) {
      for (const auto& route : vhost.routes) {
        if (route.route_name != route_name) continue;
        for (const auto& domain : vhost.domains) {
          out.push_back(Candidate{object_of(verdict), &verdict, domain, route});
        }
      }
    }
  }
  return out;
}

// The route named `name` in the virtual host holding `domain`, and that host's index.
std::optional<size_t> host_of(const config::Snapshot& snapshot, const std::string& domain,
                              const std::string& route_name) {
  for (size_t i = 0; i < snapshot.virtual_hosts.size(); ++i) {
    const auto& vhost = snapshot.virtual_hosts[i];
    if (std::find(vhost.domains.begin(), vhost.domains.end(), domain) == vhost.domains.end()) {
      continue;
    }
    for (const auto& route : vhost.routes) {
      if (route.name == route_name) return i;
    }
  }
  return std::nullopt;
}

std::string not_accepted_reason(const compile::ObjectVerdict& v) {
  std::string reason = "Accepted=False: " + std::string(compile::reason_name(v.accepted_reason));
  if (!v.accepted_message.empty()) reason += ": " + v.accepted_message;
  if (v.accepted_reason == compile::Reason::kConflicted) {
    reason = "the older object wins a conflict (" + reason + ")";
  }
  return reason;
}

Result<ProbeRequest> normalise(const ExplainRequest& request) {
  ProbeRequest out;
  out.host = routing::normalize_host(request.host);
  if (out.host.empty()) return invalid("--host", "required");
  out.method = request.method.empty() ? "GET" : request.method;
  for (char& c : out.method) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  std::string raw = request.path.empty() ? "/" : request.path;
  if (const size_t q = raw.find('?'); q != std::string::npos) {
    out.query = raw.substr(q + 1);
    raw.resize(q);
  }
  auto path = routing::normalize_path(raw);
  if (!path.ok()) return invalid("--path", path.error().to_string());
  out.path = *path;
  for (const auto& [key, value] : request.query) {
    out.query += (out.query.empty() ? "" : "&") + key + "=" + value;
  }
  for (auto [name, value] : request.headers) {
    for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

// Objects whose last good generation the proxy may still serve: explain
// judges the current spec (it has no proxy to ask).
void stale_warnings(const ClusterState& state, const std::vector<compile::ObjectVerdict>& verdicts,
                    std::vector<std::string>& warnings) {
  for (const auto& v : verdicts) {
    if (v.accepted) continue;
    const ObjectMap& from = v.kind == "APIRoute" ? state.api_routes : state.ingresses;
    const auto it = from.find(v.key);
    if (it == from.end()) continue;
    const auto& annotations = it->second->value("metadata", nlohmann::json::object())
                                  .value("annotations", nlohmann::json::object());
    if (annotations.contains("archway.dev/last-good")) {
      warnings.push_back(v.kind + " " + v.key.to_string() +
                         ": its current spec is not accepted, but the proxy may still serve its "
                         "last good generation (archway.dev/last-good); explain judges the "
                         "current spec only");
    }
  }
}

}  // namespace

Result<Explanation> explain(const ClusterState& state, const ExplainRequest& request,
                            compile::CompileOptions options) {
  auto probe = normalise(request);
  if (!probe.ok()) return probe.error();
  if (options.version.empty()) options.version = "kubectl-archway";
  Explanation out;
  out.request = *probe;
  const ProbeRequest& req = out.request;

  const auto compiled = compile::compile(state, options, {});
  stale_warnings(state, compiled.verdicts, out.warnings);
  // The snapshot as the proxy gets it: serialised by the controller, parsed
  // and validated by the proxy, then compiled into its route table.
  auto validated = config::parse_snapshot_json(config::to_json(compiled.snapshot));
  if (!validated.ok()) return validated.error();
  auto table = routing::RouteTable::compile(*validated);
  if (!table.ok()) return table.error();
  const config::Snapshot& snapshot = (*table)->snapshot();

  std::vector<routing::HeaderField> fields;
  for (const auto& [name, value] : req.headers) fields.push_back({name, value});
  const routing::RequestHead head{req.method, req.host, req.path, req.query, fields};
  const auto found = (*table)->match(head);

  const config::Route* winning = found ? &found->route->route : nullptr;
  std::optional<size_t> selected = found ? std::optional<size_t>(found->route->virtual_host_index)
                                         : selected_host(snapshot, req.host);
  std::optional<config::Match> winning_match;
  if (winning != nullptr) {
    Winner w;
    w.rule = winning->rule_name;
    w.host = best_domain(snapshot.virtual_hosts[*selected], req.host);
    const auto index = matching_index(*winning, req);
    winning_match = winning->matches.at(index.value_or(0));
    w.match = describe_match(*winning_match);
    describe_action(*winning, snapshot, w);
    for (const auto name : filters::policy_names(*winning)) w.policies.emplace_back(name);
    w.backend_policies = backend_policies(*winning, snapshot);
    // The object: route_name is "namespace/name"; the kind comes from the verdicts.
    const std::string& rn = winning->route_name;
    const size_t slash = rn.find('/');
    w.object = {"", rn.substr(0, slash), slash == std::string::npos ? "" : rn.substr(slash + 1)};
    out.winner = std::move(w);
    out.outcome = "routed";
  } else if (!selected) {
    out.outcome = "404: no virtual host serves " + req.host;
  } else {
    out.outcome = "404: no rule of host " +
                  best_domain(snapshot.virtual_hosts[*selected], req.host) + " matches";
  }

  for (const auto& c : candidates(state, compiled.verdicts, options)) {
    if (!c.route) {
      if (domain_rank(c.domain, req.host) < 0) continue;
      out.losers.push_back(Loser{c.object, "*", c.domain, "(refused before its rules were read)",
                                 not_accepted_reason(*c.verdict)});
      continue;
    }
    const config::Route& route = *c.route;
    const bool same_object = out.winner && c.object.ns == out.winner->object.ns &&
                             c.object.name == out.winner->object.name;
    if (winning != nullptr && same_object && route.name == winning->name &&
        host_of(snapshot, c.domain, route.name) == selected) {
      out.winner->object.kind = c.object.kind;
      continue;
    }
    const auto index = matching_index(route, req);
    const int rank = domain_rank(c.domain, req.host);
    Loser loser{c.object, route.rule_name, c.domain,
                describe_match(route.matches.at(index.value_or(0))), ""};
    if (!c.verdict->accepted) {
      if (rank < 0 || !index) continue;
      loser.reason = not_accepted_reason(*c.verdict);
    } else if (rank < 0) {
      if (!index) continue;
      loser.reason = "other host (" + c.domain + ")";
    } else if (single_label_excludes(route, c.domain, req.host)) {
      if (!index) continue;
      loser.reason = "an Ingress wildcard host (" + c.domain + ") covers exactly one label";
    } else if (const auto at = host_of(snapshot, c.domain, route.name); !at) {
      if (!index) continue;
      loser.reason = route.rule_name == "default-backend"
                         ? "an Ingress defaultBackend serves its hosts only where they have no "
                           "catch-all rule of their own"
                         : "not in the compiled snapshot";
    } else if (at != selected) {
      if (!index) continue;
      loser.reason = "virtual host " + best_domain(snapshot.virtual_hosts[*selected], req.host) +
                     " is more specific than " + c.domain + " (the proxy picks the host first)";
    } else if (index) {
      loser.reason = winning_match ? precedence_reason(*winning_match, route.matches[*index])
                                   : "matches alone, but the proxy found no route";
    } else {
      // Listed only when its path matches: a rule for another path is noise.
      const auto path_ok =
          std::find_if(route.matches.begin(), route.matches.end(),
                       [&](const config::Match& m) { return path_matches(m.path, req); });
      if (path_ok == route.matches.end()) continue;
      loser.match = describe_match(*path_ok);
      loser.reason = failed_condition(*path_ok, req).value_or("did not match");
    }
    out.losers.push_back(std::move(loser));
  }
  // Rules of the request's host first; those of other hosts last.
  std::stable_sort(out.losers.begin(), out.losers.end(), [](const Loser& a, const Loser& b) {
    return !a.reason.starts_with("other host") && b.reason.starts_with("other host");
  });
  if (out.winner && out.winner->object.kind.empty()) out.winner->object.kind = "?";
  return out;
}

}  // namespace archway::controller::cli
