#include "controller/compile/nginx_annotations/annotation_catalog.h"

#include <algorithm>
#include <array>

namespace archway::controller::compile::nginx {
namespace {

// Sorted, for binary search.
constexpr std::array<std::string_view, 5> kSnippets = {"auth-snippet", "configuration-snippet",
                                                       "modsecurity-snippet", "server-snippet",
                                                       "stream-snippet"};

constexpr std::array<std::string_view, 3> kControls = {
    "allowlist-source-range", "denylist-source-range", "whitelist-source-range"};

constexpr std::array<std::string_view, 67> kUnsupported = {
    "affinity-canary-behavior",
    "affinity-mode",
    "app-root",
    "client-body-buffer-size",
    "connection-proxy-header",
    "custom-headers",
    "custom-http-errors",
    "default-backend",
    "disable-proxy-intercept-errors",
    "enable-access-log",
    "enable-global-auth",
    "enable-modsecurity",
    "enable-opentelemetry",
    "enable-opentracing",
    "enable-owasp-core-rules",
    "enable-rewrite-log",
    "from-to-www-redirect",
    "global-rate-limit",
    "global-rate-limit-key",
    "global-rate-limit-window",
    "http2-push-preload",
    "limit-allowlist",
    "limit-connections",
    "limit-rate",
    "limit-rate-after",
    "limit-whitelist",
    "load-balance",
    "mirror-host",
    "mirror-request-body",
    "mirror-target",
    "mirror-uri",
    "modsecurity-transaction-id",
    "opentelemetry-trust-incoming-span",
    "preserve-trailing-slash",
    "proxy-buffer-size",
    "proxy-buffering",
    "proxy-buffers-number",
    "proxy-busy-buffers-size",
    "proxy-cookie-domain",
    "proxy-cookie-path",
    "proxy-http-version",
    "proxy-max-temp-file-size",
    "proxy-next-upstream-timeout",
    "proxy-redirect-from",
    "proxy-redirect-to",
    "proxy-request-buffering",
    "proxy-ssl-ciphers",
    "proxy-ssl-name",
    "proxy-ssl-protocols",
    "proxy-ssl-secret",
    "proxy-ssl-server-name",
    "proxy-ssl-verify",
    "proxy-ssl-verify-depth",
    "satisfy",
    "server-alias",
    "service-upstream",
    "session-cookie-change-on-failure",
    "session-cookie-conditional-samesite-none",
    "session-cookie-domain",
    "session-cookie-samesite",
    "session-cookie-secure",
    "ssl-ciphers",
    "ssl-passthrough",
    "ssl-prefer-server-ciphers",
    "upstream-hash-by-subset",
    "upstream-hash-by-subset-size",
    "x-forwarded-prefix",
};

template <size_t N>
bool contains(const std::array<std::string_view, N>& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name);
}

}  // namespace

bool is_snippet(std::string_view name) { return contains(kSnippets, name); }

bool is_unenforceable_control(std::string_view name) {
  // auth-url, auth-type, auth-secret, auth-tls-*: every external, basic and
  // client-certificate authentication annotation (auth-snippet is a snippet).
  return contains(kControls, name) || (name.starts_with("auth-") && !is_snippet(name));
}

bool is_known_unsupported(std::string_view name) { return contains(kUnsupported, name); }

}  // namespace archway::controller::compile::nginx
