// An APIRoute's `auth` through compile (controller/compile/auth_resolver.h):
// each method gated on the proxy enforcing it, Secrets resolved into the
// snapshot's self-contained form, API keys reduced to digests, and a missing
// or unusable Secret closing only its rule (503). The proxy's enforcement list
// and validator are injected, so these tests mean the same whatever the
// proxy version they are built against enforces.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <string>
#include <vector>

#include "controller/compile/auth_resolver.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

using compile::CompileResult;
using compile::ObjectVerdict;
using compile::Reason;
using compile::reason_name;

// What the Secrets hold: values written as the API server stores them.
const std::string kApiKey = "s3cr3t-key";
const std::string kOtherApiKey = "an0ther-key-2";
const std::string kClientSecret = "intro-client-s3cret";
const std::string kJwks =
    R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1"}]})";

std::string b64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// SHA-256 in hex, computed here with OpenSSL rather than through the code
// under test.
std::string expected_digest(const std::string& key) {
  std::array<unsigned char, 32> d{};
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), d.data(), &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned char c : d) {
    static const char* kHex = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::string secret(const std::string& ns, const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& data) {
  std::string out = "---\nkind: Secret\nmetadata: {name: " + name + ", namespace: " + ns +
                    "}\ntype: Opaque\ndata: {";
  for (size_t i = 0; i < data.size(); ++i) {
    out += (i ? ", " : "") + data[i].first + ": \"" + b64(data[i].second) + "\"";
  }
  return out + "}\n";
}

const std::string kCluster = R"(
kind: Service
metadata: {name: app, namespace: ns}
spec: {clusterIP: 10.96.0.1, ports: [{name: web, port: 80}]}
)";

// A route with a rule `guarded` carrying `auth` and a rule `open` without.
std::string route_with_auth(const std::string& auth) {
  return "---\nkind: APIRoute\nmetadata: {name: r, namespace: ns, generation: 1, "
         "creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: {hostnames: [api.example.com], "
         "rules: [{name: guarded, matches: [{path: {value: /private}}], auth: " +
         auth +
         ", backends: [{name: app, port: 80}]}, {name: open, matches: [{path: {value: /public}}], "
         "backends: [{name: app, port: 80}]}]}\n";
}

compile::CompileOptions options_enforcing(std::vector<std::string> methods) {
  compile::CompileOptions options = testing::test_options();
  options.policy_enforced = [methods](std::string_view policy) {
    return std::find(methods.begin(), methods.end(), policy) != methods.end();
  };
  // The proxy's validator of this build may not enforce auth yet; what it
  // would say of the auth fields is checked by resolve_auth itself.
  options.check_snapshot = [](const config::Snapshot&) -> Result<void> { return {}; };
  return options;
}

const std::vector<std::string> kAllMethods = {"auth.jwt", "auth.oauth2Introspection",
                                              "auth.apiKey"};

CompileResult run(const std::string& yaml, const compile::CompileOptions& options) {
  return compile::compile(testing::state_from_yaml(kCluster + yaml), options, {});
}

const config::Route* find_rule(const CompileResult& r, const std::string& rule) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    for (const auto& route : vh.routes) {
      if (route.rule_name == rule) return &route;
    }
  }
  return nullptr;
}

const ObjectVerdict& only_verdict(const CompileResult& r) {
  EXPECT_EQ(r.verdicts.size(), 1u);
  return r.verdicts.front();
}

TEST(CompileAuth, AMethodTheProxyDoesNotEnforceIsRefusedNamingTheMethod) {
  struct Case {
    std::string auth;
    std::vector<std::string> enforced;
    std::string method;
  };
  const std::vector<Case> cases = {
      {"{apiKey: {secretRef: {name: keys}}}", {"auth.jwt"}, "auth.apiKey"},
      {"{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks'}}",
       {"auth.apiKey", "auth"},
       "auth.jwt"},
      {"{oauth2Introspection: {endpoint: 'https://id.example.com/introspect', "
       "clientSecretRef: {name: c}}}",
       {},
       "auth.oauth2Introspection"},
  };
  for (const auto& c : cases) {
    const CompileResult r = run(route_with_auth(c.auth), options_enforcing(c.enforced));
    const ObjectVerdict& v = only_verdict(r);
    EXPECT_FALSE(v.accepted) << c.method;
    EXPECT_EQ(reason_name(v.accepted_reason), "PolicyNotEnforced") << c.method;
    EXPECT_NE(v.accepted_message.find("spec.rules[0].auth"), std::string::npos)
        << v.accepted_message;
    EXPECT_NE(v.accepted_message.find(c.method), std::string::npos) << v.accepted_message;
    EXPECT_EQ(find_rule(r, "open"), nullptr) << "fail closed: nothing of the route is served";
  }
}

TEST(CompileAuth, AnEnforcedMethodIsServedWithItsSecretsResolved) {
  const CompileResult r =
      run(secret("ns", "jwks", {{"jwks.json", kJwks}}) +
              secret("ns", "intro", {{"client-id", "gateway"}, {"client-secret", kClientSecret}}) +
              secret("ns", "keys", {{"alice", kApiKey}, {"bob", kOtherApiKey}}) +
              route_with_auth("{jwt: {issuer: 'https://id.example.com', audiences: [orders], "
                              "jwksSecretRef: {name: jwks}, clockSkew: 5s}}"),
          options_enforcing(kAllMethods));
  const ObjectVerdict& v = only_verdict(r);
  EXPECT_TRUE(v.accepted) << v.accepted_message;
  EXPECT_TRUE(v.resolved_refs) << v.resolved_message;
  const config::Route* guarded = find_rule(r, "guarded");
  ASSERT_NE(guarded, nullptr);
  ASSERT_TRUE(guarded->policies.auth && guarded->policies.auth->jwt);
  const config::JwtAuth& jwt = *guarded->policies.auth->jwt;
  EXPECT_EQ(jwt.jwks, kJwks);
  EXPECT_FALSE(jwt.jwks_uri);
  EXPECT_EQ(jwt.issuer, "https://id.example.com");
  EXPECT_EQ(jwt.clock_skew, std::chrono::seconds(5));
}

struct ResolveCase {
  std::string name;
  std::string secrets;
  std::string auth;
  // Expected: the guarded rule is served, else it answers 503 and the route
  // has ResolvedRefs=False with `reason` and a message holding `message_part`.
  bool served;
  std::string reason;
  std::string message_part;
};

TEST(CompileAuth, SecretsResolveOrCloseOnlyTheirRule) {
  const std::string jwt_ref = "{jwt: {issuer: i, audiences: [a], jwksSecretRef: {name: jwks";
  const std::string intro =
      "{oauth2Introspection: {endpoint: 'https://id.example.com/i', "
      "clientSecretRef: {name: intro}}}";
  const std::string api_key = "{apiKey: {header: X-Key, secretRef: {name: keys}}}";
  const std::vector<ResolveCase> cases = {
      {"jwksSecretRef, default key", secret("ns", "jwks", {{"jwks.json", kJwks}}), jwt_ref + "}}}",
       true, "", ""},
      {"jwksSecretRef, named key", secret("ns", "jwks", {{"set", kJwks}}),
       jwt_ref + ", key: set}}}", true, "", ""},
      {"jwksUri needs no Secret", "",
       "{jwt: {issuer: i, audiences: [a], jwksUri: 'https://id.example.com/jwks'}}", true, "", ""},
      {"missing JWKS Secret", "", jwt_ref + "}}}", false, "SecretNotFound",
       "spec.rules[0].auth.jwt.jwksSecretRef: Secret ns/jwks not found"},
      {"JWKS Secret without the key", secret("ns", "jwks", {{"other", kJwks}}), jwt_ref + "}}}",
       false, "SecretNotFound", "Secret ns/jwks has no key \"jwks.json\""},
      {"JWKS that is not a key set", secret("ns", "jwks", {{"jwks.json", "{\"keys\": []}"}}),
       jwt_ref + "}}}", false, "InvalidSecret",
       "spec.rules[0].auth.jwt.jwksSecretRef: Secret ns/jwks"},
      {"a Secret of another namespace is never read",
       secret("other", "jwks", {{"jwks.json", kJwks}}), jwt_ref + "}}}", false, "SecretNotFound",
       "Secret ns/jwks not found"},
      {"clientSecretRef",
       secret("ns", "intro", {{"client-id", "gateway"}, {"client-secret", kClientSecret}}), intro,
       true, "", ""},
      {"clientSecretRef missing client-secret", secret("ns", "intro", {{"client-id", "gateway"}}),
       intro, false, "SecretNotFound",
       "spec.rules[0].auth.oauth2Introspection.clientSecretRef: Secret ns/intro has no key "
       "\"client-secret\""},
      {"missing client Secret", "", intro, false, "SecretNotFound", "Secret ns/intro not found"},
      {"API keys", secret("ns", "keys", {{"alice", kApiKey}}), api_key, true, "", ""},
      {"missing API key Secret", "", api_key, false, "SecretNotFound",
       "spec.rules[0].auth.apiKey.secretRef: Secret ns/keys not found"},
      {"an empty API key", secret("ns", "keys", {{"alice", kApiKey}, {"bob", ""}}), api_key, false,
       "InvalidSecret", "key \"bob\": holds no key"},
      // One key per line (rotation), so a trailing newline ends the line;
      // a control character inside a key is refused, never sent in a header.
      {"an API key with a tab inside", secret("ns", "keys", {{"alice", "abc\tdefghij"}}), api_key,
       false, "InvalidSecret", "key \"alice\""},
      {"a Secret with no API key", secret("ns", "keys", {}), api_key, false, "InvalidSecret",
       "holds no API keys"},
      {"the same API key under two ids", secret("ns", "keys", {{"a", kApiKey}, {"b", kApiKey}}),
       api_key, false, "InvalidSecret", "the same key is listed twice"},
  };
  for (const auto& c : cases) {
    const CompileResult r =
        run(c.secrets + route_with_auth(c.auth), options_enforcing(kAllMethods));
    const ObjectVerdict& v = only_verdict(r);
    EXPECT_TRUE(v.accepted) << c.name << ": " << v.accepted_message;
    EXPECT_NE(find_rule(r, "open"), nullptr) << c.name << ": the other rule keeps serving";
    const config::Route* guarded = find_rule(r, "guarded");
    if (c.served) {
      EXPECT_TRUE(v.resolved_refs) << c.name << ": " << v.resolved_message;
      ASSERT_NE(guarded, nullptr) << c.name;
      EXPECT_TRUE(guarded->policies.auth) << c.name;
      continue;
    }
    // Closed, not left out: left out, /private would fall through to a
    // broader rule of the host.
    ASSERT_NE(guarded, nullptr) << c.name;
    ASSERT_TRUE(guarded->direct_response) << c.name << ": a rule whose Secret dangles is closed";
    EXPECT_EQ(guarded->direct_response->status, 503) << c.name;
    EXPECT_TRUE(guarded->backends.empty()) << c.name;
    EXPECT_FALSE(guarded->policies.auth) << c.name;
    EXPECT_FALSE(v.resolved_refs) << c.name;
    EXPECT_EQ(reason_name(v.resolved_reason), c.reason) << c.name << ": " << v.resolved_message;
    EXPECT_NE(v.resolved_message.find(c.message_part), std::string::npos)
        << c.name << ": " << v.resolved_message;
    for (const std::string& value : {kApiKey, kClientSecret}) {
      EXPECT_EQ(v.resolved_message.find(value), std::string::npos) << c.name << ": leaks a value";
    }
  }
}

TEST(CompileAuth, IntrospectionCarriesTheClientCredentials) {
  const CompileResult r =
      run(secret("ns", "intro", {{"client-id", "gateway"}, {"client-secret", kClientSecret}}) +
              route_with_auth("{oauth2Introspection: {endpoint: 'https://id.example.com/i', "
                              "clientSecretRef: {name: intro}, cacheTTL: 45s, "
                              "requiredScopes: [orders:read]}}"),
          options_enforcing(kAllMethods));
  const config::Route* guarded = find_rule(r, "guarded");
  ASSERT_NE(guarded, nullptr) << only_verdict(r).resolved_message;
  ASSERT_TRUE(guarded->policies.auth && guarded->policies.auth->oauth2_introspection);
  const config::OAuth2Introspection& o = *guarded->policies.auth->oauth2_introspection;
  EXPECT_EQ(o.client_id, "gateway");
  EXPECT_EQ(o.client_secret, kClientSecret);
  EXPECT_EQ(o.cache_ttl, std::chrono::seconds(45));
  EXPECT_EQ(o.required_scopes, std::vector<std::string>{"orders:read"});
}

TEST(CompileAuth, ApiKeysReachTheSnapshotAsDigestsOnly) {
  const CompileResult r =
      run(secret("ns", "keys", {{"bob", kOtherApiKey}, {"alice", kApiKey}}) +
              route_with_auth("{apiKey: {header: X-Api-Key, secretRef: {name: keys}}}"),
          options_enforcing(kAllMethods));
  const config::Route* guarded = find_rule(r, "guarded");
  ASSERT_NE(guarded, nullptr) << only_verdict(r).resolved_message;
  ASSERT_TRUE(guarded->policies.auth && guarded->policies.auth->api_key);
  const config::ApiKeyAuth& keys = *guarded->policies.auth->api_key;
  EXPECT_EQ(keys.header, "x-api-key");
  const std::vector<config::ApiKeyDigest> expected = {{"alice", expected_digest(kApiKey)},
                                                      {"bob", expected_digest(kOtherApiKey)}};
  EXPECT_EQ(keys.keys, expected);
  EXPECT_EQ(compile::sha256_hex(kApiKey), expected_digest(kApiKey));
  EXPECT_EQ(expected_digest(kApiKey),  // printf s3cr3t-key | sha256sum
            "99ab9660c4e55f77fd420904b46180434242e63be70f6bb54084c9a4abccc941");

  // Neither the key nor its base64 form is anywhere in what is pushed.
  const std::string pushed = config::to_json(r.snapshot);
  EXPECT_NE(pushed.find(expected_digest(kApiKey)), std::string::npos);
  for (const std::string& key : {kApiKey, kOtherApiKey}) {
    EXPECT_EQ(pushed.find(key), std::string::npos) << "the snapshot holds a key";
    EXPECT_EQ(pushed.find(b64(key)), std::string::npos) << "the snapshot holds a key (base64)";
  }
}

// Rotation: one id may hold the old and the new key, one per line (the
// proxy's rule, identity::api_key_digests_from_secret_value); both reach the
// proxy as digests under that id, and a trailing newline adds nothing.
TEST(CompileAuth, OneIdMayHoldSeveralKeysOnePerLine) {
  const CompileResult r =
      run(secret("ns", "keys", {{"alice", kApiKey + "\n" + kOtherApiKey + "\n"}}) +
              route_with_auth("{apiKey: {secretRef: {name: keys}}}"),
          options_enforcing(kAllMethods));
  const config::Route* guarded = find_rule(r, "guarded");
  ASSERT_NE(guarded, nullptr) << only_verdict(r).resolved_message;
  const std::vector<config::ApiKeyDigest> expected = {{"alice", expected_digest(kApiKey)},
                                                      {"alice", expected_digest(kOtherApiKey)}};
  EXPECT_EQ(guarded->policies.auth->api_key->keys, expected);
}

// The informers recompile on any Secret change (controller/informer/kinds.cc
// caches every Opaque Secret of the watched namespaces); what reaches the
// proxy is the compile of the new content, with the APIRoute unchanged.
TEST(CompileAuth, ARotatedSecretChangesTheSnapshotWithoutTouchingTheRoute) {
  const std::string route = route_with_auth("{apiKey: {secretRef: {name: keys}}}");
  const auto digests = [&](const std::string& key) {
    const CompileResult r =
        run(secret("ns", "keys", {{"alice", key}}) + route, options_enforcing(kAllMethods));
    const config::Route* guarded = find_rule(r, "guarded");
    if (!guarded || !guarded->policies.auth || !guarded->policies.auth->api_key) {
      ADD_FAILURE() << "the rule carries no API keys";
      return std::vector<config::ApiKeyDigest>{};
    }
    return guarded->policies.auth->api_key->keys;
  };
  EXPECT_EQ(digests(kApiKey),
            (std::vector<config::ApiKeyDigest>{{"alice", expected_digest(kApiKey)}}));
  EXPECT_EQ(digests(kOtherApiKey),
            (std::vector<config::ApiKeyDigest>{{"alice", expected_digest(kOtherApiKey)}}));
}

TEST(CompileAuth, AnEmptyAuthTurnsADefaultAuthOff) {
  const std::string route =
      "---\nkind: APIRoute\nmetadata: {name: r, namespace: ns, generation: 1}\nspec: "
      "{defaults: {auth: {apiKey: {secretRef: {name: keys}}}}, rules: [{name: open, auth: {}, "
      "backends: [{name: app, port: 80}]}]}\n";
  const CompileResult r = run(route, options_enforcing({}));
  const ObjectVerdict& v = only_verdict(r);
  EXPECT_TRUE(v.accepted) << v.accepted_message;
  const config::Route* open = find_rule(r, "open");
  ASSERT_NE(open, nullptr);
  EXPECT_FALSE(open->policies.auth);
}

// The CRD's default, the snapshot's default and the docs (docs/auth.md
// "Configuration") say one thing.
TEST(CompileAuth, TheCrdAndTheSnapshotAgreeOnTheDefaultClockSkew) {
  const YAML::Node crd =
      YAML::LoadFile(std::string(ARCHWAY_TESTDATA) + "/../../crds/apiroutes.archway.dev.yaml");
  const YAML::Node skew = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
                             ["spec"]["properties"]["rules"]["items"]["properties"]["auth"]
                             ["properties"]["jwt"]["properties"]["clockSkew"]["default"];
  ASSERT_TRUE(skew.IsScalar());
  auto parsed = config::parse_duration(skew.as<std::string>());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, config::JwtAuth{}.clock_skew);
  EXPECT_EQ(config::JwtAuth{}.clock_skew, std::chrono::seconds(60)) << "issue 13: 60 s";
}

}  // namespace
}  // namespace archway::controller
