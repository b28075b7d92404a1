// What a JWT costs the proxy, per algorithm: a full verification
// (identity::verify_jwt: parse, key choice, signature, claims) against a
// verified-token cache hit (a keyed hash of the token, one shard
// lookup) — the figure a token seen again costs (docs/auth.md). CPU time
// per call, median of 7 rounds, on one thread. Not part of `make test`.
//
// Usage: ninja -C build jwt_bench && ./build/bench/identity/jwt_bench [calls per round]
//        jwt_bench --emit ALG   prints a JWKS (one line) and a token signed
//        for it (issuer https://id.example.com, audience orders, scope
//        orders:read, valid one day), for bench/run.sh's archway-jwt proxy.

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/base64.h"
#include "proxy/identity/jwk_set.h"
#include "proxy/identity/jwt_verifier.h"
#include "proxy/identity/token_cache.h"
#include "tests/proxy/identity/token_forge.h"

namespace {

using archway::identity::JwsAlgorithm;
namespace forge = archway::identity::testing;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Median over rounds of the CPU microseconds one call of `f` takes.
template <typename F>
double us_per_call(int calls, F&& f) {
  std::vector<double> rounds;
  for (int r = 0; r < 7; ++r) {
    const double t0 = cpu_seconds();
    for (int i = 0; i < calls; ++i) f();
    rounds.push_back((cpu_seconds() - t0) * 1e6 / calls);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[rounds.size() / 2];
}

struct Case {
  const char* name;
  JwsAlgorithm alg;
  forge::Pkey key;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string emit = argc > 2 && std::string(argv[1]) == "--emit" ? argv[2] : "";
  const int calls = argc > 1 && emit.empty() ? std::max(1, std::atoi(argv[1])) : 2000;
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  archway::identity::JwtPolicy policy;
  policy.issuer = "https://id.example.com";
  policy.audiences = {"orders"};
  policy.required_scopes = {"orders:read"};

  std::vector<Case> cases;
  cases.push_back({"RS256 (2048)", JwsAlgorithm::kRS256, forge::generate_rsa(2048)});
  cases.push_back({"RS256 (4096)", JwsAlgorithm::kRS256, forge::generate_rsa(4096)});
  cases.push_back({"PS256 (2048)", JwsAlgorithm::kPS256, forge::generate_rsa(2048)});
  cases.push_back({"ES256", JwsAlgorithm::kES256, forge::generate_ec("P-256")});
  cases.push_back({"ES384", JwsAlgorithm::kES384, forge::generate_ec("P-384")});
  cases.push_back({"EdDSA", JwsAlgorithm::kEdDSA, forge::generate_ed25519()});

  if (!emit.empty()) {
    std::erase_if(cases, [&](const Case& c) {
      return archway::identity::jws_algorithm_name(c.alg) != emit ||
             std::string_view(c.name).find("4096") != std::string_view::npos;
    });
    if (cases.empty()) {
      std::fprintf(stderr, "jwt_bench: --emit RS256 | PS256 | ES256 | ES384 | EdDSA\n");
      return 2;
    }
  }
  archway::identity::VerifiedTokenCache cache;
  if (emit.empty()) {
    std::printf("%-14s %16s %16s %10s\n", "algorithm", "verify us/call", "cache hit us", "ratio");
  }
  for (const Case& c : cases) {
    const nlohmann::json jwks = {{"keys", {forge::public_jwk(c.key.get(), "k1")}}};
    auto keys =
        archway::identity::JwkSet::parse(jwks.dump(), archway::identity::KeySource::kPublicJwks);
    if (!keys.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name, keys.error().message.c_str());
      return 1;
    }
    const nlohmann::json header = {
        {"alg", std::string(archway::identity::jws_algorithm_name(c.alg))},
        {"kid", "k1"},
        {"typ", "JWT"}};
    const nlohmann::json claims = {{"iss", policy.issuer},
                                   {"aud", "orders"},
                                   {"sub", "user-1"},
                                   {"scope", "orders:read orders:write"},
                                   {"iat", now.time_since_epoch().count()},
                                   {"exp", now.time_since_epoch().count() + 86400}};
    const std::string input = forge::encode_json(header) + "." + forge::encode_json(claims);
    const std::string token =
        input + "." + archway::base64url_encode(forge::sign(c.alg, c.key.get(), input));
    if (!archway::identity::verify_jwt(token, *keys, policy, now).ok()) {
      std::fprintf(stderr, "%s: the token does not verify\n", c.name);
      return 1;
    }
    if (!emit.empty()) {
      std::printf("%s\n%s\n", jwks.dump().c_str(), token.c_str());
      return 0;
    }
    const double verify = us_per_call(calls, [&] {
      auto r = archway::identity::verify_jwt(token, *keys, policy, now);
      if (!r.ok()) std::abort();
    });
    const auto cached_as = cache.policy(archway::identity::sha256_bytes("bench policy"));
    cache.insert(cached_as, token, std::make_shared<archway::identity::TokenVerdict>(),
                 now + std::chrono::hours(1), now);
    const double hit = us_per_call(calls * 10, [&] {
      if (!cache.find(cached_as, token, now)) std::abort();
    });
    std::printf("%-14s %16.2f %16.3f %10.0f\n", c.name, verify, hit, verify / hit);
  }
  return 0;
}
