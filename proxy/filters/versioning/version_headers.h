#pragma once
// What a version's responses carry (docs/versioning.md "Response
// headers"), formatted once per snapshot, and its brownout windows. Pure:
// every `now` is a parameter.

#include <chrono>
#include <string>

#include "proxy/config/policies/versioning.h"
#include "proxy/http/headers.h"

namespace archway::filters {

// RFC 9745 §2.1: Deprecation is an RFC 9651 Date, "@" + Unix seconds.
[[nodiscard]] std::string deprecation_value(std::chrono::sys_seconds when);
// RFC 8594 §3: Sunset is an HTTP-date, written as IMF-fixdate.
[[nodiscard]] std::string sunset_value(std::chrono::sys_seconds when);
// RFC 8288 Link to the version's documentation, with rel="deprecation"
// (RFC 9745 §3) when the version is deprecated and rel="sunset" (RFC 8594
// §6) when it has a sunset; empty when neither applies or there is no link.
[[nodiscard]] std::string link_value(const config::ApiVersion& version);

// Deprecation, Sunset and Link, each only when it applies; the fields a
// response of `version` gets.
[[nodiscard]] http::Headers version_headers(const config::ApiVersion& version);

// Inside one of the version's brownout windows: start <= now < end.
[[nodiscard]] bool in_brownout(const config::ApiVersion& version, std::chrono::sys_seconds now);

}  // namespace archway::filters
