#include "proxy/server/ratelimit_options.h"

#include <openssl/ssl.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace archway::server {
namespace {

Result<redis::NodeAddress> parse_address(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return invalid("--redis-address", "want host:port, got \"" + std::string(text) + "\"");
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:6379
  }
  unsigned port = 0;
  const std::string_view port_text = text.substr(colon + 1);
  const auto [ptr, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return invalid("--redis-address", "bad port in \"" + std::string(text) + "\"");
  }
  return redis::NodeAddress{std::string(host), static_cast<uint16_t>(port)};
}

Result<std::string> read_secret(const std::string& path) {
  std::ifstream in(path);
  if (!in) return invalid("--redis-password-file", "cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  // A file written by an editor or `echo` ends with a newline that is not
  // part of the password.
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

Result<std::shared_ptr<SSL_CTX>> tls_context(const RateLimitFlags& flags) {
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!ctx) return invalid("--redis-tls", "cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_default_verify_paths(ctx.get());
  if (!flags.redis_ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx.get(), flags.redis_ca_file.c_str(), nullptr) != 1) {
    return invalid("--redis-ca-file", "cannot load " + flags.redis_ca_file);
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  return ctx;
}

}  // namespace

Result<RateLimitOptions> rate_limit_options(const RateLimitFlags& flags) {
  RateLimitOptions out;
  out.trusted_hops = flags.trusted_proxy_hops;
  out.max_keys = flags.max_keys == 0 ? 1 : flags.max_keys;
  if (flags.redis_address.empty()) return out;
  ratelimit::GlobalLimiterOptions global;
  std::string_view rest = flags.redis_address;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    auto address = parse_address(rest.substr(0, comma));
    if (!address.ok()) return address.error();
    global.redis.seeds.push_back(std::move(*address));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (global.redis.seeds.size() > 1 && !flags.redis_cluster) {
    return invalid("--redis-address",
                   "several addresses are for a Redis Cluster (--redis-cluster)");
  }
  global.redis.cluster = flags.redis_cluster;
  global.redis.connection.username = flags.redis_username;
  if (!flags.redis_password_file.empty()) {
    auto password = read_secret(flags.redis_password_file);
    if (!password.ok()) return password.error();
    global.redis.connection.password = std::move(*password);
  }
  if (flags.redis_tls) {
    auto ctx = tls_context(flags);
    if (!ctx.ok()) return ctx.error();
    out.redis_tls = std::move(*ctx);
    global.redis.connection.tls = out.redis_tls.get();
    global.redis.connection.tls_server_name = flags.redis_server_name;
  }
  out.global = std::move(global);
  return out;
}

}  // namespace archway::server
