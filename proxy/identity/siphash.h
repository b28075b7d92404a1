#pragma once
// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash for hash
// tables whose keys an attacker chooses (bearer tokens). With a secret
// random key nobody can predict which inputs collide, so no one can fill a
// bucket on purpose; it is the hash-flooding defence of Python, Rust and
// the Linux kernel. It is *not* a digest to trust for equality: a cache
// keyed by it still compares the bytes (token_cache.h). Pure.
// Written here, not called through OpenSSL 3's EVP_MAC "SIPHASH": that API
// fetches the algorithm and allocates a context per call, the very cost
// the cached-token path is cut to avoid (docs/benchmarks.md); the reference
// vectors of the paper are in its unit test.

#include <cstdint>
#include <string_view>

namespace archway::identity {

struct SipHashKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// A key from the operating system's random generator (RAND_bytes); all
// zero only if that fails, which leaves the hash a plain (unkeyed) one.
[[nodiscard]] SipHashKey random_siphash_key();

[[nodiscard]] uint64_t siphash24(const SipHashKey& key, std::string_view data);

}  // namespace archway::identity
