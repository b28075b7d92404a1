#pragma once
// Standard base64 (RFC 4648 §4) decoding for kubeconfig *-data fields and
// Secret data. Whitespace is skipped (kubeconfigs wrap long values). In
// common/ because both the Kubernetes client and the pure compile need it,
// and the pure compile must not see the client (DESIGN.md §1).
//
// base64url (RFC 4648 §5) as JOSE uses it (RFC 7515 §2): strict, because a
// JWS is compared and cached by its text, so two spellings of one byte string
// must not both pass.

#include <optional>
#include <string>
#include <string_view>

namespace archway {

[[nodiscard]] std::optional<std::string> base64_decode(std::string_view in);

// Decodes unpadded base64url. Refuses padding, whitespace, any character
// outside [A-Za-z0-9_-], a length of 4k+1, and non-canonical input (unused
// trailing bits that are not zero), so every byte string has one encoding.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view in);

// Encodes as unpadded base64url (the only form base64url_decode accepts).
[[nodiscard]] std::string base64url_encode(std::string_view in);

}  // namespace archway
