#include "controller/compile/tls_secret.h"

#include "common/base64.h"
#include "controller/compile/json_access.h"
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

SecretOutcome load_tls_secret(const ClusterState& state, const std::string& ns,
                              const std::string& name) {
  SecretOutcome out;
  const std::string full = ns + "/" + name;
  auto it = state.secrets.find(ObjectKey{ns, name});
  if (it == state.secrets.end()) {
    out.problem = {"SecretNotFound", "Secret " + full + " not found"};
    return out;
  }
  const Json& secret = it->second;
  if (str(secret, "type") != "kubernetes.io/tls") {
    out.problem = {"InvalidSecret", "Secret " + full + " is not of type kubernetes.io/tls"};
    return out;
  }
  const Json& data = object(secret, "data");
  const std::string crt_b64 = str(data, "tls.crt");
  const std::string key_b64 = str(data, "tls.key");
  if (crt_b64.empty() || key_b64.empty()) {
    out.problem = {"InvalidSecret", "Secret " + full + " lacks tls.crt or tls.key"};
    return out;
  }
  auto crt = base64_decode(crt_b64);
  auto key = base64_decode(key_b64);
  if (!crt || !key) {
    out.problem = {"InvalidSecret", "Secret " + full + " holds invalid base64"};
    return out;
  }
  // The proxy's own check, so a Secret accepted here is never NACKed there.
  if (auto pair = config::parse_certificate_and_key(*crt, *key); !pair.ok()) {
    out.problem = {"InvalidSecret", "Secret " + full + ": " + secret_key_name(pair.error())};
    return out;
  }
  out.ok = true;
  out.certificate = {*std::move(crt), *std::move(key)};
  return out;
}

}  // namespace archway::controller::compile
