// use-regex, rewrite-target, ssl-redirect, force-ssl-redirect,
// permanent-/temporal-redirect, upstream-vhost, backend-protocol, the proxy
// timeouts and proxy-body-size.
#include <string_view>

#include "controller/compile/json_access.h"
#include "controller/compile/nginx_annotations/annotation_values.h"
#include "controller/compile/nginx_annotations/reader.h"
#include "proxy/config/field_checks.h"

namespace archway::controller::compile::nginx {
namespace {

bool is_path_char(char c) {
  const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || std::string_view("-._~!&()*+,=:@/%").find(c) != std::string_view::npos;
}

// rewrite-target: a path of plain characters where "$1".."$9" name the
// regex path's groups; they become the snapshot's "{1}".."{9}" captures.
// Anything else nginx would read ($uri, ${name}, a query) is refused.
Result<std::string, ValueError> read_rewrite_target(std::string_view value) {
  if (value.size() > kMaxValueLength || has_hostile_character(value)) {
    return ValueError{"contains a control character or one of { } ; \" ' ` \\, or is too long"};
  }
  if (value.empty() || value.front() != '/') {
    return ValueError{"\"" + std::string(value) + "\" must start with '/'"};
  }
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '$') {
      if (i + 1 >= value.size() || value[i + 1] < '1' || value[i + 1] > '9') {
        return ValueError{"\"" + std::string(value) +
                          "\": '$' may only name a capture group, $1 to $9 (no nginx variables)"};
      }
      out += "{" + std::string(1, value[i + 1]) + "}";
      ++i;
      continue;
    }
    if (!is_path_char(c)) {
      return ValueError{"\"" + std::string(value) + "\": '" + std::string(1, c) +
                        "' is not allowed in a rewritten path"};
    }
    out += c;
  }
  return out;
}

// permanent-/temporal-redirect: an absolute http(s) URL without query or
// fragment; nginx answers with exactly that URL.
Result<config::Redirect, ValueError> read_redirect_url(std::string_view value) {
  const std::string quoted = "\"" + std::string(value) + "\"";
  if (value.size() > kMaxValueLength || has_hostile_character(value)) {
    return ValueError{quoted.substr(0, 80) +
                      " contains a control character or one of { } ; \" ' ` \\"};
  }
  config::Redirect r;
  std::string_view rest = value;
  if (rest.starts_with("https://")) {
    r.scheme = "https";
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    r.scheme = "http";
    rest.remove_prefix(7);
  } else {
    return ValueError{quoted + " is not an http:// or https:// URL"};
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
  if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    auto port = read_int(authority.substr(colon + 1), 1, 65535);
    if (!port.ok()) return ValueError{quoted + ": bad port"};
    r.port = static_cast<uint16_t>(*port);
    authority = authority.substr(0, colon);
  }
  const std::string host = lower(std::string(authority));
  if (host.empty() || config::check_hostname(host)) return ValueError{quoted + ": bad host name"};
  r.hostname = host;
  for (const char c : path) {
    if (!is_path_char(c)) return ValueError{quoted + ": only a plain path may follow the host"};
  }
  if (auto bad = config::check_path(path, false)) return ValueError{quoted + ": " + *bad};
  r.path = std::string(path);
  return r;
}

bool redirects(Reader& r) {
  const std::string* permanent = r.get("permanent-redirect");
  const std::string* temporal = r.get("temporal-redirect");
  if (permanent != nullptr && temporal != nullptr) {
    return r.reject("temporal-redirect",
                    "set at most one of permanent-redirect and temporal-redirect");
  }
  std::optional<int64_t> permanent_code, temporal_code;
  auto code = [](std::string_view v) { return read_int(v, 300, 308); };
  if (!r.read("permanent-redirect-code", code, permanent_code) ||
      !r.read("temporal-redirect-code", code, temporal_code)) {
    return false;
  }
  if (permanent == nullptr && temporal == nullptr) return true;
  const bool is_permanent = permanent != nullptr;
  const std::string name = is_permanent ? "permanent-redirect" : "temporal-redirect";
  auto redirect = read_redirect_url(is_permanent ? *permanent : *temporal);
  if (!redirect.ok()) return r.reject(name, redirect.error().message);
  const int64_t status = is_permanent ? permanent_code.value_or(301) : temporal_code.value_or(302);
  if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
    return r.reject(name + "-code", "must be 301, 302, 303, 307 or 308");
  }
  redirect->status_code = static_cast<uint16_t>(status);
  r.out.redirect = std::move(*redirect);
  return true;
}

}  // namespace

bool read_routing(Reader& r) {
  std::optional<bool> use_regex, ssl_redirect, force;
  if (!r.read("use-regex", read_bool, use_regex) ||
      !r.read("ssl-redirect", read_bool, ssl_redirect) ||
      !r.read("force-ssl-redirect", read_bool, force)) {
    return false;
  }
  r.out.use_regex = use_regex.value_or(false);
  r.out.ssl_redirect = ssl_redirect;
  r.out.force_ssl_redirect = force.value_or(false);
  if (!r.read("rewrite-target", read_rewrite_target, r.out.rewrite_full_path)) return false;
  if (r.out.rewrite_full_path) r.out.use_regex = true;  // as in ingress-nginx
  if (const std::string* vhost = r.get("upstream-vhost")) {
    const std::string host = lower(*vhost);
    if (has_hostile_character(host) || host.size() > 253 || config::check_hostname(host)) {
      return r.reject("upstream-vhost", "\"" + *vhost + "\" is not a host name");
    }
    r.out.upstream_host = host;
  }
  return redirects(r);
}

bool read_backend(Reader& r) {
  if (const std::string* protocol = r.get("backend-protocol")) {
    if (has_hostile_character(*protocol) || protocol->size() > 16) {
      return r.reject("backend-protocol", "is not one of HTTP, HTTPS, GRPC, GRPCS, H2C");
    }
    const std::string p = upper(*protocol);
    if (p == "HTTP") {
      r.out.protocol = config::ClusterProtocol::kHttp1;
    } else if (p == "HTTPS" || p == "GRPCS") {
      r.out.protocol = config::ClusterProtocol::kHttps;  // h2 by ALPN for gRPC
    } else if (p == "GRPC" || p == "H2C") {
      r.out.protocol = config::ClusterProtocol::kH2c;
    } else if (p == "AUTO_HTTP" || p == "FCGI") {
      return r.reject("backend-protocol", "\"" + p + "\" is not supported by Archway",
                      Reason::kUnsupportedValue);
    } else {
      return r.reject("backend-protocol",
                      "\"" + *protocol + "\" is not one of HTTP, HTTPS, GRPC, GRPCS, H2C");
    }
  }
  std::optional<std::chrono::milliseconds> connect, read_timeout, send_timeout;
  if (!r.read("proxy-connect-timeout", read_seconds, connect) ||
      !r.read("proxy-read-timeout", read_seconds, read_timeout) ||
      !r.read("proxy-send-timeout", read_seconds, send_timeout)) {
    return false;
  }
  if (connect) {
    if (connect->count() == 0) return r.reject("proxy-connect-timeout", "must be at least 1s");
    r.out.connect_timeout = *connect;
  }
  // nginx's read and send timeouts bound the gap between two reads or two
  // writes: the snapshot's `idle` (no bytes either way), the longer of them.
  if (read_timeout || send_timeout) {
    r.out.idle_timeout = std::max(read_timeout.value_or(std::chrono::milliseconds(0)),
                                  send_timeout.value_or(std::chrono::milliseconds(0)));
  }
  // Validated, but the proxy limits request bodies per listener only
  // (limits.maxRequestBodyBytes), not per route: flagged.
  std::optional<uint64_t> body_size;
  if (!r.read("proxy-body-size", read_size, body_size)) return false;
  if (body_size) r.not_honoured("proxy-body-size");
  return true;
}

}  // namespace archway::controller::compile::nginx
