#include "proxy/tls/server_tls.h"

#include <openssl/err.h>

#include <cstring>

namespace archway::tls {
namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int alpn_select(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  // Prefer h2, then http/1.1; anything else is refused.
  static constexpr unsigned char kH2[] = {2, 'h', '2'};
  static constexpr unsigned char kH1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  for (const auto* want : {kH2, kH1}) {
    for (unsigned int i = 0; i < inlen;) {
      const unsigned int len = in[i];
      if (i + 1 + len > inlen) break;
      if (len == want[0] && std::memcmp(in + i + 1, want + 1, len) == 0) {
        *out = in + i + 1;
        *outlen = static_cast<unsigned char>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      i += 1 + len;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

int servername_cb(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const ServerTls*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_OK;  // default certificate
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (SSL_CTX* ctx = self->select(lower); ctx != nullptr) SSL_set_SSL_CTX(ssl, ctx);
  return SSL_TLSEXT_ERR_OK;
}

Result<SslCtxPtr> make_context(const config::CertificateChain& chain, const std::string& field) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return invalid(field, "SSL_CTX_new: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // RFC 9113 §9.2.2: TLS 1.2 cipher suites for h2 must be ECDHE AEAD.
  SSL_CTX_set_cipher_list(ctx.get(), "ECDHE+AESGCM:ECDHE+CHACHA20");
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  // Each call takes its own reference: the context outlives the snapshot's objects.
  if (SSL_CTX_use_certificate(ctx.get(), chain.leaf.get()) != 1) {
    return invalid(field + ".certificate", openssl_error());
  }
  for (const config::CertificatePtr& intermediate : chain.intermediates) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), intermediate.get()) != 1) {
      return invalid(field + ".certificate", openssl_error());
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), chain.key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return invalid(field + ".privateKey", "key does not match certificate: " + openssl_error());
  }
  SSL_CTX_set_alpn_select_cb(ctx.get(), alpn_select, nullptr);
  return ctx;
}

}  // namespace

Result<std::unique_ptr<const ServerTls>> ServerTls::create(
    const config::ValidatedSnapshot& snapshot) {
  std::unique_ptr<ServerTls> tls(new ServerTls());
  for (size_t i = 0; i < snapshot->virtual_hosts.size(); ++i) {
    const auto& vhost = snapshot->virtual_hosts[i];
    const config::CertificateChain* chain = snapshot.server_certificate(i);
    if (chain == nullptr) continue;
    auto ctx = make_context(*chain, "virtualHosts[" + std::to_string(i) + "].tls");
    if (!ctx.ok()) return ctx.error();
    SSL_CTX* raw = ctx->get();
    tls->contexts_.push_back(std::move(ctx).value());
    for (const auto& domain : vhost.domains) {
      if (domain == "*") continue;
      if (domain.rfind("*.", 0) == 0) {
        tls->wildcard_.emplace(domain.substr(1), raw);
      } else {
        tls->exact_.emplace(domain, raw);
      }
    }
  }
  if (tls->contexts_.empty()) return std::unique_ptr<const ServerTls>();
  for (auto& ctx : tls->contexts_) {
    SSL_CTX_set_tlsext_servername_callback(ctx.get(), servername_cb);
    SSL_CTX_set_tlsext_servername_arg(ctx.get(), tls.get());
  }
  return std::unique_ptr<const ServerTls>(std::move(tls));
}

SSL_CTX* ServerTls::select(std::string_view server_name) const {
  if (auto it = exact_.find(std::string(server_name)); it != exact_.end()) return it->second;
  // Longest wildcard first: try each label boundary from the left.
  for (size_t dot = server_name.find('.'); dot != std::string_view::npos;
       dot = server_name.find('.', dot + 1)) {
    if (auto it = wildcard_.find(std::string(server_name.substr(dot))); it != wildcard_.end()) {
      return it->second;
    }
  }
  return nullptr;
}

bool negotiated_h2(SSL* ssl) {
  const unsigned char* proto = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &proto, &len);
  return len == 2 && proto[0] == 'h' && proto[1] == '2';
}

}  // namespace archway::tls
