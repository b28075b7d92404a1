#pragma once
// The API keys of one `auth.apiKey` policy, as digests (docs/auth.md "API
// keys"). Built once per snapshot from the SHA-256 digests the controller
// computed from the Secret; the proxy never sees, stores or logs a key.
//
// A presented key is hashed and compared with every stored digest in
// constant time (CRYPTO_memcmp, no early exit), so the time taken does not
// depend on which key matched, or whether one did. One id may hold several
// digests (key rotation: old and new key both valid while clients move).
//
// Immutable after create(): share it across workers as
// shared_ptr<const ApiKeySet>; authenticate() is const and thread-safe.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/identity/sha256.h"

namespace archway::identity {

// Why a request's key was refused: the `reason` label of
// archway_auth_failures_total. Every one answers 401 (docs/auth.md).
enum class ApiKeyFailure {
  kMissing,         // no field of the configured header
  kRepeatedHeader,  // more than one field of it: which one counts would be a guess
  kMalformed,       // shorter or longer than the limits, or a byte outside visible ASCII
  kUnknownKey,      // well-formed, but its digest is none of the stored ones
};

[[nodiscard]] std::string_view failure_label(ApiKeyFailure failure);

// What the snapshot carries per key (config::ApiKeyDigest), as views so
// that this core does not depend on the config types.
struct ApiKeyDigestView {
  std::string_view id;
  std::string_view sha256_hex;  // 64 hex digits
};

struct ApiKeyLimits {
  // A key shorter than this cannot be a generated secret; one longer is
  // refused before hashing so that a large header costs nothing.
  size_t min_bytes = 8;
  size_t max_bytes = 4096;
};

// Whether a key has the form the proxy accepts (limits, visible ASCII):
// the same rule for a presented key and for a key in a Secret.
[[nodiscard]] bool is_acceptable_api_key(std::string_view key, const ApiKeyLimits& limits = {});

// A Secret's value for one key id → the hex SHA-256 digests of its keys,
// for the controller (docs/auth.md "API keys": one key per line; empty
// lines and a CR before the LF ignored). kInvalidArgument, naming the line
// but never quoting it, for no key at all or a key the proxy would refuse.
[[nodiscard]] Result<std::vector<std::string>> api_key_digests_from_secret_value(
    std::string_view value, const ApiKeyLimits& limits = {});

class ApiKeySet {
 public:
  // kInvalidArgument for an empty list, an empty id, a digest that is not
  // 64 hex digits, or one digest listed twice (config validation already
  // refuses all of these; this is the core's own guard).
  [[nodiscard]] static Result<ApiKeySet> create(std::string header,
                                                std::span<const ApiKeyDigestView> keys,
                                                ApiKeyLimits limits = {});

  // The lower-case header the key is read from. The filter removes every
  // field of it before forwarding, whether the key was accepted or not.
  [[nodiscard]] const std::string& header() const { return header_; }

  // `fields`: the values of every field named header() in the request, in
  // order. Exactly one is accepted. The id returned lives as long as this
  // set (never a view into the request).
  [[nodiscard]] Result<std::string_view, ApiKeyFailure> authenticate(
      std::span<const std::string_view> fields) const;

  // The same for one key already taken from its header.
  [[nodiscard]] Result<std::string_view, ApiKeyFailure> lookup(std::string_view key) const;

  // Distinct key ids, sorted (for metrics and status; never key material).
  [[nodiscard]] std::vector<std::string_view> ids() const;
  [[nodiscard]] size_t digest_count() const { return digests_.size(); }

 private:
  ApiKeySet() = default;

  std::string header_;
  ApiKeyLimits limits_;
  std::vector<Sha256Digest> digests_;
  std::vector<size_t> id_of_digest_;  // index into ids_, one per digest
  std::vector<std::string> ids_;      // distinct
  // The algorithm fetched once (Sha256Hasher): the one-shot sha256() pays
  // OpenSSL 3's lookup on every request. Shared, so the set stays copyable.
  std::shared_ptr<const Sha256Hasher> hasher_ = std::make_shared<const Sha256Hasher>();
};

}  // namespace archway::identity
