#pragma once
// The snapshot: the proxy's whole configuration as one self-contained,
// versioned document (DESIGN.md §1). The proxy owns this schema; the
// controller is one producer of it, a file given with --config is another.
// docs/snapshot.md documents every field; the JSON names are camelCase
// spellings of the member names below.
//
// These are plain values: parsing fills them (config/snapshot_parser.h) and
// validation happens there, so everything downstream may assume a Snapshot is
// well-formed (names unique, references resolved, regexes compile).
// Every struct compares with == (defaulted) so a round trip through to_json
// can be checked.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "proxy/config/policies/health_check.h"
#include "proxy/config/policies/load_balancer.h"
#include "proxy/config/policies/route_policies.h"

namespace archway::config {

using Duration = std::chrono::milliseconds;

struct Listener {
  std::string name;  // unique
  std::string address = "0.0.0.0";
  uint16_t port = 0;
  bool tls = false;  // TLS listeners select a certificate by SNI

  bool operator==(const Listener&) const = default;
};

struct TlsCertificate {
  std::string certificate_pem;  // chain, leaf first
  std::string private_key_pem;

  bool operator==(const TlsCertificate&) const = default;
};

enum class PathMatchType { kExact, kPathPrefix, kRegularExpression, kTemplate };
enum class ValueMatchType { kExact, kRegularExpression, kPresent };

struct PathMatch {
  PathMatchType type = PathMatchType::kPathPrefix;
  std::string value = "/";

  bool operator==(const PathMatch&) const = default;
};

struct ValueMatch {  // header (case-insensitive name) or query param
  std::string name;
  ValueMatchType type = ValueMatchType::kExact;
  std::string value;

  bool operator==(const ValueMatch&) const = default;
};

// The fields of one match AND together; a route's matches OR together.
struct Match {
  PathMatch path;
  std::vector<std::string> methods;  // empty: any method
  std::vector<ValueMatch> headers;
  std::vector<ValueMatch> query_params;
  // Only this version of the route's policies.versioning (declared there);
  // absent: any declared version (docs/versioning.md).
  std::optional<std::string> version;

  bool operator==(const Match&) const = default;
};

struct WeightedBackend {
  std::string cluster;  // Cluster::name
  uint32_t weight = 1;  // 0 disables the backend

  bool operator==(const WeightedBackend&) const = default;
};

struct Redirect {
  std::optional<std::string> scheme;
  std::optional<std::string> hostname;
  std::optional<uint16_t> port;
  std::optional<std::string> path;  // full replacement path
  uint16_t status_code = 302;       // 301 | 302 | 303 | 307 | 308

  bool operator==(const Redirect&) const = default;
};

struct DirectResponse {
  uint16_t status = 200;
  std::string body;
  std::string content_type = "text/plain";

  bool operator==(const DirectResponse&) const = default;
};

struct Rewrite {
  std::optional<std::string> path_prefix;  // replaces the matched prefix
  // Replaces the whole path; may use {name} captures of Template matches or
  // {1}..{9}, the numbered groups of RegularExpression matches.
  std::optional<std::string> full_path;
  std::optional<std::string> hostname;  // new :authority / Host

  bool operator==(const Rewrite&) const = default;
};

struct HeaderValue {
  std::string name;
  std::string value;

  bool operator==(const HeaderValue&) const = default;
};

struct HeaderOps {
  std::vector<HeaderValue> set;
  std::vector<HeaderValue> add;
  std::vector<std::string> remove;

  bool operator==(const HeaderOps&) const = default;
};

struct Timeouts {
  std::optional<Duration> request;          // whole exchange, client's view
  std::optional<Duration> backend_request;  // one attempt to a backend
  std::optional<Duration> idle;             // no bytes either way

  bool operator==(const Timeouts&) const = default;
};

struct Route {
  std::string name;        // unique in the snapshot; "namespace/route/rule" from the controller
  std::string route_name;  // the `route` metrics label ("namespace/name")
  std::string rule_name;   // the `rule` metrics label
  std::vector<Match> matches;
  // Exactly one action (or policies.aggregate).
  std::vector<WeightedBackend> backends;
  std::optional<Redirect> redirect;
  std::optional<DirectResponse> direct_response;
  // A request that came over cleartext is answered with a redirect to the
  // same URL over https, with this status (301, 302, 303, 307 or 308),
  // before any policy runs; a TLS request takes the route's action. Absent:
  // off. (ingress-nginx's ssl-redirect; docs/migration.md.)
  std::optional<uint16_t> https_redirect;
  Rewrite rewrite;
  HeaderOps request_headers;
  HeaderOps response_headers;
  Timeouts timeouts;
  // Typed policies (policies/route_policies.h); an absent one is off.
  // policies.aggregate, when set, is the route's action instead of the three above.
  RoutePolicies policies;
  // Ingress semantics for a wildcard host: when the virtual host was chosen
  // by a "*.suffix" domain, this route matches only if "*" stood for exactly
  // one label ("*.foo.com" serves "a.foo.com", not "a.b.foo.com"). APIRoute
  // wildcards, like Gateway API's, match one or more labels.
  bool single_label_wildcard = false;

  bool operator==(const Route&) const = default;
};

struct VirtualHost {
  std::string name;                   // unique
  std::vector<std::string> domains;   // exact names, "*.suffix" wildcards, or "*" (any)
  std::optional<TlsCertificate> tls;  // served for these domains on TLS listeners
  std::vector<Route> routes;          // in the producer's precedence order for ties

  bool operator==(const VirtualHost&) const = default;
};

enum class ClusterProtocol { kHttp1, kH2c, kHttps };

struct Endpoint {
  std::string address;  // IPv4 / IPv6 literal or a host name resolved at compile
  uint16_t port = 0;
  uint32_t weight = 1;  // 1..1000: this endpoint's share relative to the others

  bool operator==(const Endpoint&) const = default;
};

struct Cluster {
  std::string name;  // unique
  ClusterProtocol protocol = ClusterProtocol::kHttp1;
  std::vector<Endpoint> endpoints;  // empty: requests get 503
  Duration connect_timeout{2000};
  std::optional<std::string> tls_server_name;  // HTTPS: SNI and name to verify
  bool tls_verify = true;                      // HTTPS: verify the backend's certificate
  std::optional<std::string> tls_ca_pem;       // HTTPS: extra trust anchors
  std::optional<LoadBalancer> load_balancer;   // absent: least request
  std::optional<HealthCheck> health_check;     // absent: no active health checks

  bool operator==(const Cluster&) const = default;
};

struct Limits {
  uint32_t max_header_bytes = 64 * 1024;  // HTTP/1 head / HTTP/2 header list
  uint32_t max_header_count = 100;
  uint32_t max_concurrent_streams = 100;  // HTTP/2 per connection
  uint64_t max_request_body_bytes = 0;    // 0 = unlimited (streamed)
  Duration request_timeout{60000};
  Duration idle_timeout{300000};
  Duration header_timeout{10000};  // time to receive a request head

  bool operator==(const Limits&) const = default;
};

struct Snapshot {
  std::string version;  // opaque, non-empty; echoed in ACKs and metrics
  std::vector<Listener> listeners;
  std::vector<VirtualHost> virtual_hosts;
  std::vector<Cluster> clusters;
  Limits limits;

  bool operator==(const Snapshot&) const = default;
};

}  // namespace archway::config
