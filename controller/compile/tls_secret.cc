#include "controller/compile/tls_secret.h"

#include "common/base64.h"
#include "controller/compile/json_access.h"
#include "controller/compile/secret_data.h"
#include "proxy/config/tls_check.h"

namespace archway::controller::compile {
namespace {

// The proxy names the certificate and the key by their snapshot fields; a
// person reading the route's condition knows them as the Secret's keys.
std::string secret_key_name(const Error& error) {
  const char* key = error.field == "privateKey" ? "tls.key" : "tls.crt";
  return std::string(key) + ": " + error.message;
}

}  // namespace

Result<config::TlsCertificate, Problem> load_tls_secret(const ClusterState& state,
                                                        const std::string& from_ns,
                                                        const std::string& ns,
                                                        const std::string& name) {
  const std::string full = (ns.empty() ? from_ns : ns) + "/" + name;
  auto found = find_referenced_secret(state, from_ns, ns, name);
  if (!found.ok()) return found.error();
  const Json& secret = **found;
  if (str(secret, "type") != "kubernetes.io/tls") {
    return Problem{Reason::kInvalidSecret, "Secret " + full + " is not of type kubernetes.io/tls"};
  }
  const Json& data = object(secret, "data");
  const std::string crt_b64 = str(data, "tls.crt");
  const std::string key_b64 = str(data, "tls.key");
  if (crt_b64.empty() || key_b64.empty()) {
    return Problem{Reason::kInvalidSecret, "Secret " + full + " lacks tls.crt or tls.key"};
  }
  auto crt = base64_decode(crt_b64);
  auto key = base64_decode(key_b64);
  if (!crt || !key) {
    return Problem{Reason::kInvalidSecret, "Secret " + full + " holds invalid base64"};
  }
  // The proxy's own check, so a Secret accepted here is never NACKed there.
  if (auto pair = config::parse_certificate_and_key(*crt, *key); !pair.ok()) {
    return Problem{Reason::kInvalidSecret, "Secret " + full + ": " + secret_key_name(pair.error())};
  }
  return config::TlsCertificate{*std::move(crt), *std::move(key)};
}

}  // namespace archway::controller::compile
