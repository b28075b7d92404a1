// to_json: the canonical form of a snapshot. Every member is written (also
// defaults), optionals only when set, object keys sorted (nlohmann::json's
// std::map) and no whitespace, so equal snapshots give byte-identical text
// and the hash in GET /config is stable.

#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_names.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

using Json = nlohmann::json;

Json value_match(const ValueMatch& m) {
  return {{"name", m.name}, {"type", to_string(m.type)}, {"value", m.value}};
}

Json header_ops(const HeaderOps& ops) {
  const auto values = [](const std::vector<HeaderValue>& list) {
    Json out = Json::array();
    for (const HeaderValue& h : list) out.push_back({{"name", h.name}, {"value", h.value}});
    return out;
  };
  return {{"set", values(ops.set)}, {"add", values(ops.add)}, {"remove", ops.remove}};
}

Json match(const Match& m) {
  Json headers = Json::array();
  for (const ValueMatch& h : m.headers) headers.push_back(value_match(h));
  Json query = Json::array();
  for (const ValueMatch& q : m.query_params) query.push_back(value_match(q));
  Json out = {{"path", {{"type", to_string(m.path.type)}, {"value", m.path.value}}},
              {"methods", m.methods},
              {"headers", std::move(headers)},
              {"queryParams", std::move(query)}};
  if (m.version) out["version"] = *m.version;
  return out;
}

template <typename T>
void set_optional(Json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

void set_duration(Json& out, const char* key, const std::optional<Duration>& value) {
  if (value) out[key] = format_duration(*value);
}

Json route(const Route& r) {
  Json out = {{"name", r.name}, {"routeName", r.route_name}, {"ruleName", r.rule_name}};
  Json matches = Json::array();
  for (const Match& m : r.matches) matches.push_back(match(m));
  out["matches"] = std::move(matches);
  Json backends = Json::array();
  for (const WeightedBackend& b : r.backends) {
    backends.push_back({{"cluster", b.cluster}, {"weight", b.weight}});
  }
  out["backends"] = std::move(backends);
  if (r.redirect) {
    Json redirect = {{"statusCode", r.redirect->status_code}};
    set_optional(redirect, "scheme", r.redirect->scheme);
    set_optional(redirect, "hostname", r.redirect->hostname);
    set_optional(redirect, "port", r.redirect->port);
    set_optional(redirect, "path", r.redirect->path);
    out["redirect"] = std::move(redirect);
  }
  set_optional(out, "httpsRedirect", r.https_redirect);
  if (r.direct_response) {
    out["directResponse"] = {{"status", r.direct_response->status},
                             {"body", r.direct_response->body},
                             {"contentType", r.direct_response->content_type}};
  }
  Json rewrite = Json::object();
  set_optional(rewrite, "pathPrefix", r.rewrite.path_prefix);
  set_optional(rewrite, "fullPath", r.rewrite.full_path);
  set_optional(rewrite, "hostname", r.rewrite.hostname);
  out["rewrite"] = std::move(rewrite);
  out["requestHeaders"] = header_ops(r.request_headers);
  out["responseHeaders"] = header_ops(r.response_headers);
  Json timeouts = Json::object();
  set_duration(timeouts, "request", r.timeouts.request);
  set_duration(timeouts, "backendRequest", r.timeouts.backend_request);
  set_duration(timeouts, "idle", r.timeouts.idle);
  out["timeouts"] = std::move(timeouts);
  out["policies"] = to_json(r.policies);
  if (r.single_label_wildcard) out["singleLabelWildcard"] = true;  // absent = false
  return out;
}

Json virtual_host(const VirtualHost& vh) {
  Json out = {{"name", vh.name}, {"domains", vh.domains}};
  if (vh.tls) {
    out["tls"] = {{"certificate", vh.tls->certificate_pem},
                  {"privateKey", vh.tls->private_key_pem}};
  }
  Json routes = Json::array();
  for (const Route& r : vh.routes) routes.push_back(route(r));
  out["routes"] = std::move(routes);
  return out;
}

Json cluster(const Cluster& c) {
  Json endpoints = Json::array();
  for (const Endpoint& e : c.endpoints) {
    Json endpoint = {{"address", e.address}, {"port", e.port}};
    if (e.weight != 1) endpoint["weight"] = e.weight;  // 1 is the default
    endpoints.push_back(std::move(endpoint));
  }
  Json out = {{"name", c.name},
              {"protocol", to_string(c.protocol)},
              {"endpoints", std::move(endpoints)},
              {"connectTimeout", format_duration(c.connect_timeout)},
              {"tlsVerify", c.tls_verify}};
  set_optional(out, "tlsServerName", c.tls_server_name);
  set_optional(out, "tlsCa", c.tls_ca_pem);
  if (c.load_balancer) out["loadBalancer"] = to_json(*c.load_balancer);
  if (c.health_check) out["healthCheck"] = to_json(*c.health_check);
  return out;
}

Json limits(const Limits& l) {
  return {{"maxHeaderBytes", l.max_header_bytes},
          {"maxHeaderCount", l.max_header_count},
          {"maxConcurrentStreams", l.max_concurrent_streams},
          {"maxRequestBodyBytes", l.max_request_body_bytes},
          {"requestTimeout", format_duration(l.request_timeout)},
          {"idleTimeout", format_duration(l.idle_timeout)},
          {"headerTimeout", format_duration(l.header_timeout)}};
}

}  // namespace

std::string to_json(const Snapshot& s) {
  Json out = {{"version", s.version}};
  Json listeners = Json::array();
  for (const Listener& l : s.listeners) {
    listeners.push_back(
        {{"name", l.name}, {"address", l.address}, {"port", l.port}, {"tls", l.tls}});
  }
  out["listeners"] = std::move(listeners);
  Json vhosts = Json::array();
  for (const VirtualHost& vh : s.virtual_hosts) vhosts.push_back(virtual_host(vh));
  out["virtualHosts"] = std::move(vhosts);
  Json clusters = Json::array();
  for (const Cluster& c : s.clusters) clusters.push_back(cluster(c));
  out["clusters"] = std::move(clusters);
  out["limits"] = limits(s.limits);
  // A parsed snapshot holds only valid UTF-8; `replace` keeps a snapshot
  // built in code from making dump() throw.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace archway::config
