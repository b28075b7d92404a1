#include "proxy/identity/api_key_set.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <unordered_set>

namespace archway::identity {
namespace {

bool is_visible_ascii(char c) { return c >= 0x21 && c <= 0x7e; }

}  // namespace

std::string_view failure_label(ApiKeyFailure failure) {
  switch (failure) {
    case ApiKeyFailure::kMissing:
      return "missing_key";
    case ApiKeyFailure::kRepeatedHeader:
      return "repeated_header";
    case ApiKeyFailure::kMalformed:
      return "malformed";
    case ApiKeyFailure::kUnknownKey:
      return "unknown_key";
  }
  return "unknown_key";
}

bool is_acceptable_api_key(std::string_view key, const ApiKeyLimits& limits) {
  return key.size() >= limits.min_bytes && key.size() <= limits.max_bytes &&
         std::all_of(key.begin(), key.end(), is_visible_ascii);
}

Result<std::vector<std::string>> api_key_digests_from_secret_value(std::string_view value,
                                                                   const ApiKeyLimits& limits) {
  std::vector<std::string> digests;
  size_t line_number = 0;
  while (!value.empty()) {
    ++line_number;
    const size_t end = std::min(value.find('\n'), value.size());
    std::string_view line = value.substr(0, end);
    value.remove_prefix(std::min(end + 1, value.size()));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!is_acceptable_api_key(line, limits)) {
      return invalid("line " + std::to_string(line_number),
                     "a key must be " + std::to_string(limits.min_bytes) + " to " +
                         std::to_string(limits.max_bytes) +
                         " bytes of visible ASCII (no spaces or control characters)");
    }
    digests.push_back(sha256_hex(line));
  }
  if (digests.empty()) return invalid("", "holds no key");
  return digests;
}

Result<ApiKeySet> ApiKeySet::create(std::string header, std::span<const ApiKeyDigestView> keys,
                                    ApiKeyLimits limits) {
  if (keys.empty()) return invalid("keys", "at least one key is required");
  ApiKeySet set;
  set.header_ = std::move(header);
  set.limits_ = limits;
  std::unordered_set<Sha256Digest, Sha256DigestHash> seen;
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (keys[i].id.empty()) return invalid(where + ".id", "must not be empty");
    const auto digest = sha256_from_hex(keys[i].sha256_hex);
    if (!digest) return invalid(where + ".sha256", "must be a SHA-256 digest in hex");
    if (!seen.insert(*digest).second) {
      return invalid(where + ".sha256", "the same key is listed twice");
    }
    const auto id = std::find(set.ids_.begin(), set.ids_.end(), keys[i].id);
    set.id_of_digest_.push_back(static_cast<size_t>(id - set.ids_.begin()));
    if (id == set.ids_.end()) set.ids_.emplace_back(keys[i].id);
    set.digests_.push_back(*digest);
  }
  return set;
}

Result<std::string_view, ApiKeyFailure> ApiKeySet::authenticate(
    std::span<const std::string_view> fields) const {
  if (fields.empty()) return ApiKeyFailure::kMissing;
  if (fields.size() > 1) return ApiKeyFailure::kRepeatedHeader;
  return lookup(fields.front());
}

Result<std::string_view, ApiKeyFailure> ApiKeySet::lookup(std::string_view key) const {
  if (!is_acceptable_api_key(key, limits_)) return ApiKeyFailure::kMalformed;
  const Sha256Digest presented = hasher_->digest(key);
  // Every digest is compared and the match selected without a branch on the
  // comparison, so the time does not tell which one matched or how early.
  // Digests are distinct (create()), so at most one matches.
  const size_t none = digests_.size();
  size_t match = none;
  for (size_t i = 0; i < digests_.size(); ++i) {
    const int differs = CRYPTO_memcmp(presented.data(), digests_[i].data(), presented.size());
    const size_t select = size_t{0} - static_cast<size_t>(differs == 0);  // all ones on a match
    match = (i & select) | (match & ~select);
  }
  if (match == none) return ApiKeyFailure::kUnknownKey;
  return std::string_view(ids_[id_of_digest_[match]]);
}

std::vector<std::string_view> ApiKeySet::ids() const {
  std::vector<std::string_view> out(ids_.begin(), ids_.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace archway::identity
