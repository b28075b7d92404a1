#include "controller/compile/secret_data.h"

#include "common/base64.h"
#include "controller/compile/json_access.h"
#include "controller/compile/reference_grant.h"

namespace archway::controller::compile {

Result<const Json*, Problem> find_secret(const ClusterState& state, const std::string& ns,
                                         const std::string& name) {
  auto it = state.secrets.find(ObjectKey{ns, name});
  if (it == state.secrets.end()) {
    return Problem{Reason::kSecretNotFound, "Secret " + ns + "/" + name + " not found"};
  }
  return &it->second.json();
}

Result<const Json*, Problem> find_referenced_secret(const ClusterState& state,
                                                    const std::string& from_ns,
                                                    const std::string& ns,
                                                    const std::string& name) {
  const std::string& target_ns = ns.empty() ? from_ns : ns;
  if (auto refused = check_reference(state, {"APIRoute", from_ns}, {"Secret", target_ns, name})) {
    return *std::move(refused);
  }
  return find_secret(state, target_ns, name);
}

std::string secret_full_name(const Json& secret) {
  const Json& meta = object(secret, "metadata");
  return str(meta, "namespace") + "/" + str(meta, "name");
}

Result<std::string, Problem> secret_value(const Json& secret, const std::string& key) {
  const Json* encoded = member(object(secret, "data"), key);
  if (encoded == nullptr || !encoded->is_string()) {
    return Problem{Reason::kSecretNotFound,
                   "Secret " + secret_full_name(secret) + " has no key \"" + key + "\""};
  }
  auto decoded = base64_decode(encoded->get_ref<const std::string&>());
  if (!decoded) {
    return Problem{Reason::kInvalidSecret, "Secret " + secret_full_name(secret) + " key \"" + key +
                                               "\" holds invalid base64"};
  }
  return *std::move(decoded);
}

}  // namespace archway::controller::compile
