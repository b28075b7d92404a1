#pragma once
// kubernetes.io/tls Secrets → PEM certificate + key for SNI. The PEM is
// checked here (parses, key matches the certificate) so a bad Secret is
// reported on the route that names it instead of making the proxy NACK the
// whole snapshot.

#include <string>

#include "common/result.h"
#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// The certificate and key of Secret `ns`/`name` as an object of namespace
// `from_ns` may read it (`ns` empty: `from_ns`), or a problem
// (ResolvedRefs=False): RefNotPermitted (another namespace, no
// ReferenceGrant), SecretNotFound (absent), InvalidSecret (wrong type,
// missing keys, bad base64 or PEM, key does not match).
[[nodiscard]] Result<config::TlsCertificate, Problem> load_tls_secret(const ClusterState& state,
                                                                      const std::string& from_ns,
                                                                      const std::string& ns,
                                                                      const std::string& name);

}  // namespace archway::controller::compile
