#include "proxy/http/error_body.h"

namespace archway::http {

std::string error_body(std::string_view message, int status) {
  std::string out = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  out += "\",\"status\":" + std::to_string(status) + "}";
  return out;
}

}  // namespace archway::http
