#include "proxy/identity/introspection_request.h"

#include <openssl/evp.h>

namespace archway::identity {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Standard base64 with padding, as the Basic scheme wants it.
std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(in.data()),
                                      static_cast<int>(in.size()));
  out.resize(written < 0 ? 0 : static_cast<size_t>(written));
  return out;
}

}  // namespace

std::string form_urlencode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

IntrospectionRequest build_introspection_request(std::string_view token, std::string_view client_id,
                                                 std::string_view client_secret) {
  IntrospectionRequest request;
  const std::string credentials = form_urlencode(client_id) + ":" + form_urlencode(client_secret);
  request.headers = {{"authorization", "Basic " + base64(credentials)},
                     {"content-type", "application/x-www-form-urlencoded"},
                     {"accept", "application/json"}};
  request.body = "token=" + form_urlencode(token) + "&token_type_hint=access_token";
  return request;
}

}  // namespace archway::identity
