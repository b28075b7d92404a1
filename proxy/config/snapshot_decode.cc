#include "proxy/config/snapshot_decode.h"

#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_names.h"

namespace archway::config {
namespace {

constexpr uint64_t kU32Max = 0xffffffffULL;

void decode_listener(Decoder& d, const Json& json, const std::string& path, Listener& out) {
  ObjectReader r(d, json, path, {"name", "address", "port", "tls"});
  r.get("name", out.name, /*required=*/true);
  r.get("address", out.address);
  if (r.ok() && r.child("port") == nullptr) d.fail(r.field("port"), "is required");
  r.get("port", out.port, 1, 65535);
  r.get("tls", out.tls);
}

void decode_virtual_host(Decoder& d, const Json& json, const std::string& path, VirtualHost& out) {
  ObjectReader r(d, json, path, {"name", "domains", "tls", "routes"});
  r.get("name", out.name, /*required=*/true);
  r.get_strings("domains", out.domains);
  if (const Json* tls = r.child("tls")) {
    ObjectReader t(d, *tls, r.field("tls"), {"certificate", "privateKey"});
    TlsCertificate cert;
    t.get("certificate", cert.certificate_pem, /*required=*/true);
    t.get("privateKey", cert.private_key_pem, /*required=*/true);
    out.tls = std::move(cert);
  }
  r.each("routes", [&](const Json& element, const std::string& p) {
    decode_route(d, element, p, out.routes.emplace_back());
  });
}

void decode_cluster(Decoder& d, const Json& json, const std::string& path, Cluster& out) {
  ObjectReader r(d, json, path,
                 {"name", "protocol", "endpoints", "connectTimeout", "tlsServerName", "tlsVerify",
                  "tlsCa", "loadBalancer", "healthCheck"});
  r.get("name", out.name, /*required=*/true);
  get_enum(d, r, "protocol", out.protocol, cluster_protocol, "HTTP, H2C, HTTPS");
  r.each("endpoints", [&](const Json& element, const std::string& p) {
    ObjectReader e(d, element, p, {"address", "port", "weight"});
    Endpoint& endpoint = out.endpoints.emplace_back();
    e.get("address", endpoint.address, /*required=*/true);
    if (e.ok() && e.child("port") == nullptr) d.fail(e.field("port"), "is required");
    e.get("port", endpoint.port, 1, 65535);
    e.get("weight", endpoint.weight, 1, 1000);
  });
  r.get_duration("connectTimeout", out.connect_timeout);
  r.get("tlsServerName", out.tls_server_name);
  r.get("tlsVerify", out.tls_verify);
  r.get("tlsCa", out.tls_ca_pem);
  if (const Json* balancer = r.child("loadBalancer")) {
    decode(d, *balancer, r.field("loadBalancer"), out.load_balancer.emplace());
  }
  if (const Json* check = r.child("healthCheck")) {
    decode(d, *check, r.field("healthCheck"), out.health_check.emplace());
  }
}

void decode_limits(Decoder& d, const Json& json, const std::string& path, Limits& out) {
  ObjectReader r(d, json, path,
                 {"maxHeaderBytes", "maxHeaderCount", "maxConcurrentStreams", "maxRequestBodyBytes",
                  "requestTimeout", "idleTimeout", "headerTimeout"});
  r.get("maxHeaderBytes", out.max_header_bytes, 1, kU32Max);
  r.get("maxHeaderCount", out.max_header_count, 1, kU32Max);
  r.get("maxConcurrentStreams", out.max_concurrent_streams, 1, kU32Max);
  r.get("maxRequestBodyBytes", out.max_request_body_bytes, 0, ~0ULL);
  r.get_duration("requestTimeout", out.request_timeout);
  r.get_duration("idleTimeout", out.idle_timeout);
  r.get_duration("headerTimeout", out.header_timeout);
}

}  // namespace

Result<Snapshot> decode_snapshot(const Json& root) {
  Decoder d;
  Snapshot s;
  ObjectReader r(d, root, "", {"version", "listeners", "virtualHosts", "clusters", "limits"});
  r.get("version", s.version, /*required=*/true);
  r.each("listeners", [&](const Json& element, const std::string& p) {
    decode_listener(d, element, p, s.listeners.emplace_back());
  });
  r.each("virtualHosts", [&](const Json& element, const std::string& p) {
    decode_virtual_host(d, element, p, s.virtual_hosts.emplace_back());
  });
  r.each("clusters", [&](const Json& element, const std::string& p) {
    decode_cluster(d, element, p, s.clusters.emplace_back());
  });
  if (const Json* limits = r.child("limits")) decode_limits(d, *limits, "limits", s.limits);
  if (d.failed()) return d.error();
  return s;
}

}  // namespace archway::config
