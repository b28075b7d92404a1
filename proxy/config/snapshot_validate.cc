// Document-level checks of validate_snapshot: names unique, listeners bind
// somewhere real, clusters well-formed, domains valid and owned by one
// virtual host, TLS material parsed (and kept: ValidatedSnapshot). Field
// names match the JSON paths so a message points at the
// text a person wrote.

#include <arpa/inet.h>

#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "proxy/config/field_checks.h"
#include "proxy/config/json_decoder.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_parser.h"
#include "proxy/config/snapshot_validate.h"
#include "proxy/config/tls_check.h"
#include "proxy/config/validated_snapshot.h"

namespace archway::config {
namespace {

bool is_ip_literal(const std::string& address) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

Error prefixed(const std::string& path, const Error& error) {
  return invalid(join_field(path, error.field), error.message);
}

Result<void> validate_listeners(const std::vector<Listener>& listeners) {
  std::unordered_set<std::string> names;
  std::set<std::pair<std::string, uint16_t>> binds;
  for (size_t i = 0; i < listeners.size(); ++i) {
    const Listener& l = listeners[i];
    const std::string path = index_field("listeners", i);
    if (l.name.empty()) return invalid(path + ".name", "must not be empty");
    if (!names.insert(l.name).second) {
      return invalid(path + ".name", "duplicate listener name \"" + l.name + "\"");
    }
    if (!is_ip_literal(l.address)) {
      return invalid(path + ".address", "invalid IP address \"" + l.address + "\"");
    }
    if (l.port == 0) return invalid(path + ".port", "must be between 1 and 65535");
    if (!binds.insert({l.address, l.port}).second) {
      return invalid(path + ".port", "address and port already used by another listener");
    }
  }
  return {};
}

Result<void> validate_cluster(const Cluster& c, const std::string& path,
                              std::vector<CertificatePtr>& trust_anchors) {
  if (c.name.empty()) return invalid(path + ".name", "must not be empty");
  for (size_t i = 0; i < c.endpoints.size(); ++i) {
    const Endpoint& e = c.endpoints[i];
    const std::string ep = index_field(path + ".endpoints", i);
    if (!is_ip_literal(e.address) && check_hostname(e.address)) {
      return invalid(ep + ".address", "must be an IP address or a host name");
    }
    if (e.port == 0) return invalid(ep + ".port", "must be between 1 and 65535");
    if (e.weight < 1 || e.weight > 1000)
      return invalid(ep + ".weight", "must be between 1 and 1000");
  }
  if (c.load_balancer) {
    if (auto r = validate(*c.load_balancer, path + ".loadBalancer"); !r.ok()) return r;
  }
  if (c.health_check) {
    if (auto r = validate(*c.health_check, path + ".healthCheck"); !r.ok()) return r;
    // Probes speak cleartext HTTP/1.1 for now (docs/resilience.md
    // "Health checks"); an H2C or HTTPS endpoint would fail every probe.
    if (c.protocol != ClusterProtocol::kHttp1) {
      return invalid(path + ".healthCheck", "only valid with protocol HTTP for now");
    }
  }
  if (c.connect_timeout.count() <= 0) {
    return invalid(path + ".connectTimeout", "must be greater than 0");
  }
  const bool https = c.protocol == ClusterProtocol::kHttps;
  if (c.tls_server_name) {
    if (!https) return invalid(path + ".tlsServerName", "only valid with protocol HTTPS");
    if (auto p = check_hostname(*c.tls_server_name)) return invalid(path + ".tlsServerName", *p);
  }
  if (c.tls_ca_pem) {
    if (!https) return invalid(path + ".tlsCa", "only valid with protocol HTTPS");
    auto parsed = parse_ca_bundle(*c.tls_ca_pem);
    if (!parsed.ok()) return invalid(path + ".tlsCa", parsed.error().message);
    trust_anchors = std::move(parsed).value();
  }
  return {};
}

// Domains are compared as written: check_domain only admits lowercase, so
// equal strings are exactly the equal hosts.
Result<void> validate_domains(const VirtualHost& vh, const std::string& path,
                              std::unordered_map<std::string, std::string>& owners) {
  if (vh.domains.empty()) return invalid(path + ".domains", "must not be empty");
  for (size_t i = 0; i < vh.domains.size(); ++i) {
    const std::string& domain = vh.domains[i];
    const std::string field = index_field(path + ".domains", i);
    if (auto p = check_domain(domain)) return invalid(field, *p);
    auto [it, inserted] = owners.emplace(domain, vh.name);
    if (!inserted) {
      return invalid(
          field, "domain \"" + domain + "\" already used by virtual host \"" + it->second + "\"");
    }
  }
  return {};
}

Result<void> validate_limits(const Limits& limits) {
  const std::pair<const char*, Duration> durations[] = {
      {"limits.requestTimeout", limits.request_timeout},
      {"limits.idleTimeout", limits.idle_timeout},
      {"limits.headerTimeout", limits.header_timeout}};
  for (const auto& [field, value] : durations) {
    if (value.count() <= 0) return invalid(field, "must be greater than 0");
  }
  const std::pair<const char*, uint32_t> counts[] = {
      {"limits.maxHeaderBytes", limits.max_header_bytes},
      {"limits.maxHeaderCount", limits.max_header_count},
      {"limits.maxConcurrentStreams", limits.max_concurrent_streams}};
  for (const auto& [field, value] : counts) {
    if (value == 0) return invalid(field, "must be between 1 and 4294967295");
  }
  return {};
}

}  // namespace

Result<ValidatedSnapshot> validate_snapshot(Snapshot snapshot) {
  ValidatedSnapshot validated;
  validated.snapshot_ = std::make_shared<const Snapshot>(std::move(snapshot));
  const Snapshot& s = *validated.snapshot_;
  if (s.version.empty()) return invalid("version", "must not be empty");
  if (auto r = validate_listeners(s.listeners); !r.ok()) return r.error();

  std::unordered_set<std::string> clusters;
  validated.trust_anchors_.resize(s.clusters.size());
  for (size_t i = 0; i < s.clusters.size(); ++i) {
    const std::string path = index_field("clusters", i);
    if (auto r = validate_cluster(s.clusters[i], path, validated.trust_anchors_[i]); !r.ok()) {
      return r.error();
    }
    if (!clusters.insert(s.clusters[i].name).second) {
      return invalid(path + ".name", "duplicate cluster name \"" + s.clusters[i].name + "\"");
    }
  }

  std::unordered_set<std::string> vhost_names;
  std::unordered_set<std::string> route_names;
  std::unordered_map<std::string, std::string> domain_owners;
  RouteContext context{&clusters, &route_names};
  validated.server_certificates_.resize(s.virtual_hosts.size());
  for (size_t i = 0; i < s.virtual_hosts.size(); ++i) {
    const VirtualHost& vh = s.virtual_hosts[i];
    const std::string path = index_field("virtualHosts", i);
    if (vh.name.empty()) return invalid(path + ".name", "must not be empty");
    if (!vhost_names.insert(vh.name).second) {
      return invalid(path + ".name", "duplicate virtual host name \"" + vh.name + "\"");
    }
    if (auto r = validate_domains(vh, path, domain_owners); !r.ok()) return r.error();
    if (vh.tls) {
      auto chain = parse_certificate_and_key(vh.tls->certificate_pem, vh.tls->private_key_pem);
      if (!chain.ok()) return prefixed(path + ".tls", chain.error());
      validated.server_certificates_[i] = std::move(chain).value();
    }
    for (size_t j = 0; j < vh.routes.size(); ++j) {
      auto r = validate_route(vh.routes[j], index_field(path + ".routes", j), context);
      if (!r.ok()) return r.error();
    }
  }
  if (auto r = validate_limits(s.limits); !r.ok()) return r.error();
  return validated;
}

const CertificateChain* ValidatedSnapshot::server_certificate(size_t virtual_host_index) const {
  const auto& chain = server_certificates_.at(virtual_host_index);
  return chain ? &*chain : nullptr;
}

const std::vector<CertificatePtr>& ValidatedSnapshot::trust_anchors(size_t cluster_index) const {
  return trust_anchors_.at(cluster_index);
}

}  // namespace archway::config
