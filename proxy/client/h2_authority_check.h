#pragma once
// RFC 9113 §8.3.1: a request whose Host field names another authority than
// its :authority is malformed. Servers SHOULD refuse it; we do (400), so a
// backend or a policy can never see two different hosts for one request.
// Pure; unit-tested in tests/proxy/http2_authority_check_test.cc.

#include <string_view>

namespace archway::client {

// True when `a` and `b` name the same authority for a request on `scheme`
// ("http" or "https"): host names compare case-insensitively, and a port
// equal to the scheme's default matches no port ("a.test" and
// "A.TEST:80" over http). Anything else must match byte for byte.
[[nodiscard]] bool same_authority(std::string_view a, std::string_view b, std::string_view scheme);

}  // namespace archway::client
