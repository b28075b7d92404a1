#pragma once
// ingress-nginx's `nginx.ingress.kubernetes.io/*` annotations on one Ingress
// → typed settings (docs/migration.md): the same config::Route fields and
// policies an APIRoute rule fills (api_route_rule.h), each value read by a
// strict grammar (annotation_values.h) and the policies checked by the
// proxy's own codecs. Never templated into text. Pure: no I/O.
//
// Four outcomes per annotation:
// - mapped: it becomes a typed field below;
// - refused: a bad value, or a security control the proxy cannot enforce
//   (source ranges, client certificates, external auth): the Ingress is
//   rejected as any invalid Ingress (Problem), so it is never served with the
//   control silently missing;
// - not honoured: a snippet (never, by design) or an annotation Archway does
//   not implement: named in a Warning Event, the rest still serves;
// - unknown: not an ingress-nginx annotation this import knows: named too.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/compile/nginx_annotations/canary.h"
#include "controller/compile/translated.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile::nginx {

inline constexpr std::string_view kPrefix = "nginx.ingress.kubernetes.io/";

struct Settings {
  // use-regex (or implied by rewrite-target): Prefix and
  // ImplementationSpecific paths are case-insensitive regular expressions
  // anchored at the start only, as nginx's `location ~*`.
  bool use_regex = false;
  // rewrite-target with $N turned into {N} (the regex path's groups).
  std::optional<std::string> rewrite_full_path;
  std::optional<config::Redirect> redirect;  // permanent- / temporal-redirect
  // ssl-redirect (unset: ingress-nginx's default, on for a host with TLS)
  // and force-ssl-redirect (with or without TLS).
  std::optional<bool> ssl_redirect;
  bool force_ssl_redirect = false;
  std::optional<config::ClusterProtocol> protocol;  // backend-protocol
  std::optional<config::Duration> connect_timeout;
  std::optional<config::Duration> idle_timeout;  // proxy-read/send-timeout
  std::optional<config::Retries> retries;
  std::optional<config::RateLimit> rate_limit;
  std::optional<config::Cors> cors;
  std::optional<config::LoadBalancer> load_balancer;  // upstream-hash-by, affinity
  std::optional<std::string> upstream_host;           // upstream-vhost
  std::optional<Canary> canary;                       // canary: "true"
  // Named in one Warning Event each (full annotation names, sorted).
  std::vector<std::string> snippets;
  std::vector<std::string> not_honoured;  // known, not implemented, or not enforceable
  std::vector<std::string> unknown;
};

// The Ingress's annotations (metadata.annotations) → settings, or the first
// bad value as a Problem naming the annotation (the Ingress is rejected).
[[nodiscard]] Result<Settings, Problem> read_annotations(const nlohmann::json& annotations);

// The names of the Ingress's nginx annotations, sorted (for the Warning
// Event when the import is off).
[[nodiscard]] std::vector<std::string> annotation_names(const nlohmann::json& annotations);

}  // namespace archway::controller::compile::nginx
