#include "controller/compile/auth_resolver.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <utility>

#include "controller/compile/json_access.h"
#include "controller/compile/secret_data.h"
#include "proxy/config/policies/codec.h"
#include "proxy/identity/api_key_set.h"

namespace archway::controller::compile {
namespace {

constexpr std::array<std::string_view, 3> kMethods = {"jwt", "oauth2Introspection", "apiKey"};

// Where the snapshot-form fields came from, so that the proxy's verdict on a
// value read from a Secret is reported against the Secret (InvalidSecret),
// not against a field the user never wrote.
struct SecretOrigin {
  std::string ref_field;  // "spec.rules[0].auth.jwt.jwksSecretRef"
  std::string secret;     // "ns/name"
};

struct SnapshotForm {
  Json json;  // config::Auth as the snapshot spells it
  SecretOrigin origin;
};

Problem at(const std::string& field, Problem problem) {
  problem.message = field + ": " + problem.message;
  return problem;
}

// The Secret a `{name, namespace?}` reference names: in the route's
// namespace `ns`, or in another one that grants it (reference_grant.h).
Result<const Json*, Problem> referenced_secret(const Json& ref, const std::string& ref_field,
                                               const std::string& ns, const ClusterState& state) {
  auto secret = find_referenced_secret(state, ns, str(ref, "namespace"), str(ref, "name"));
  if (!secret.ok()) return at(ref_field, secret.error());
  return *secret;
}

Result<SnapshotForm, Problem> jwt_form(const Json& crd, const std::string& field,
                                       const std::string& ns, const ClusterState& state) {
  SnapshotForm out{crd, {}};
  const Json* ref = member(crd, "jwksSecretRef");
  if (ref == nullptr) return out;  // jwksUri: the proxy fetches the key set itself
  out.json.erase("jwksSecretRef");
  out.origin.ref_field = field + ".jwksSecretRef";
  auto secret = referenced_secret(*ref, out.origin.ref_field, ns, state);
  if (!secret.ok()) return secret.error();
  out.origin.secret = secret_full_name(**secret);
  auto jwks = secret_value(**secret, str(*ref, "key", "jwks.json"));
  if (!jwks.ok()) return at(out.origin.ref_field, jwks.error());
  out.json["jwks"] = std::move(*jwks);
  return out;
}

Result<SnapshotForm, Problem> introspection_form(const Json& crd, const std::string& field,
                                                 const std::string& ns, const ClusterState& state) {
  SnapshotForm out{crd, {}};
  out.json.erase("clientSecretRef");
  // The CRD spells it cacheTTL, the snapshot cacheTtl.
  if (const Json* ttl = member(crd, "cacheTTL")) {
    out.json.erase("cacheTTL");
    out.json["cacheTtl"] = *ttl;
  }
  out.origin.ref_field = field + ".clientSecretRef";
  auto secret = referenced_secret(object(crd, "clientSecretRef"), out.origin.ref_field, ns, state);
  if (!secret.ok()) return secret.error();
  out.origin.secret = secret_full_name(**secret);
  for (const auto& [key, member_name] :
       {std::pair{"client-id", "clientId"}, std::pair{"client-secret", "clientSecret"}}) {
    auto value = secret_value(**secret, key);
    if (!value.ok()) return at(out.origin.ref_field, value.error());
    out.json[member_name] = std::move(*value);
  }
  return out;
}

Result<SnapshotForm, Problem> api_key_form(const Json& crd, const std::string& field,
                                           const std::string& ns, const ClusterState& state) {
  SnapshotForm out{crd, {}};
  out.json.erase("secretRef");
  out.origin.ref_field = field + ".secretRef";
  auto secret = referenced_secret(object(crd, "secretRef"), out.origin.ref_field, ns, state);
  if (!secret.ok()) return secret.error();
  out.origin.secret = secret_full_name(**secret);
  const auto invalid = [&](const std::string& message) {
    return Problem{Reason::kInvalidSecret,
                   out.origin.ref_field + ": Secret " + out.origin.secret + " " + message};
  };
  const Json& data = object(**secret, "data");
  if (data.empty()) return invalid("holds no API keys");
  Json keys = Json::array();
  // data is a JSON object: its ids come sorted, so the snapshot is stable.
  for (auto it = data.begin(); it != data.end(); ++it) {
    auto value = secret_value(**secret, it.key());
    if (!value.ok()) return at(out.origin.ref_field, value.error());
    // One key per line (rotation: the old and the new key under one id),
    // judged by the proxy's own rule for what a key may be.
    auto digests = identity::api_key_digests_from_secret_value(*value);
    // The keys leave this function only as their digests.
    OPENSSL_cleanse(value->data(), value->size());
    if (!digests.ok()) return invalid("key \"" + it.key() + "\": " + digests.error().message);
    for (const std::string& digest : *digests)
      keys.push_back({{"id", it.key()}, {"sha256", digest}});
  }
  out.json["keys"] = std::move(keys);
  return out;
}

// The proxy's verdict on a value read from a Secret names the Secret.
Problem judged(const Error& error, const std::string& field, const std::string& method,
               const SecretOrigin& origin) {
  const std::string base = field + "." + method;
  const bool from_secret =
      !origin.secret.empty() &&
      (error.field == base + ".jwks" || error.field == base + ".clientId" ||
       error.field == base + ".clientSecret" || error.field.starts_with(base + ".keys"));
  if (!from_secret) return Problem{Reason::kInvalidValue, error.to_string()};
  const std::string what = error.field.substr(base.size() + 1);
  return Problem{Reason::kInvalidSecret, origin.ref_field + ": Secret " + origin.secret + ": " +
                                             what + " " + error.message};
}

}  // namespace

Result<std::string, Problem> auth_method(const Json& auth, const std::string& field) {
  std::string found;
  for (const std::string_view method : kMethods) {
    if (member(auth, method) == nullptr) continue;
    if (!found.empty()) {
      return Problem{Reason::kInvalidValue,
                     field + ": at most one of jwt, oauth2Introspection and apiKey may be set"};
    }
    found = method;
  }
  return found;
}

Result<config::Auth, Problem> resolve_auth(const Json& auth, const std::string& field,
                                           const std::string& ns, const ClusterState& state) {
  auto method = auth_method(auth, field);
  if (!method.ok()) return method.error();
  if (method->empty()) {
    return Problem{Reason::kInvalidValue,
                   field + ": one of jwt, oauth2Introspection and apiKey must be set"};
  }
  const Json& crd = *member(auth, *method);
  const std::string method_field = field + "." + *method;
  auto form = *method == "jwt"      ? jwt_form(crd, method_field, ns, state)
              : *method == "apiKey" ? api_key_form(crd, method_field, ns, state)
                                    : introspection_form(crd, method_field, ns, state);
  if (!form.ok()) return form.error();
  // The proxy's own decoder and checks (config/policies/auth.cc), so what is
  // accepted here is what the proxy accepts.
  auto parsed = config::parse_policy<config::Auth>(Json{{*method, form->json}}, field);
  if (!parsed.ok()) return judged(parsed.error(), field, *method, form->origin);
  return std::move(*parsed);
}

bool is_reference_problem(const Problem& problem) {
  return problem.reason == Reason::kSecretNotFound || problem.reason == Reason::kInvalidSecret ||
         problem.reason == Reason::kRefNotPermitted;
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace archway::controller::compile
