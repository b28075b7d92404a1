#include "proxy/filters/auth/bearer.h"

#include <algorithm>

#include "proxy/http/error_body.h"

namespace archway::filters::auth {
namespace {

bool is_token68_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_token68(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_token68_char(s[i])) ++i;
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

LocalReply reply(int status, std::string challenge, std::string_view error) {
  LocalReply out;
  out.status = status;
  if (!challenge.empty()) out.headers.push_back({"www-authenticate", std::move(challenge)});
  out.headers.push_back({"content-type", "application/json"});
  out.body = http::error_body(error, status);
  return out;
}

}  // namespace

BearerCredentials find_bearer(const http::Headers& headers) {
  const http::Header* found = nullptr;
  for (const http::Header& h : headers) {
    if (h.name != "authorization") continue;
    if (found != nullptr) return {BearerCredentials::Kind::kMalformed, {}};
    found = &h;
  }
  if (found == nullptr) return {};
  std::string_view value = found->value;
  const size_t space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  if (!iequals(scheme, "bearer")) return {};  // another scheme: no bearer credentials
  if (space == std::string_view::npos) return {BearerCredentials::Kind::kMalformed, {}};
  std::string_view token = value.substr(space);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!is_token68(token)) return {BearerCredentials::Kind::kMalformed, {}};
  return {BearerCredentials::Kind::kToken, token};
}

void strip_fields(http::Headers& headers, const std::vector<std::string>& names) {
  if (names.empty()) return;
  http::erase_if(headers, [&](const http::Header& h) {
    return std::find(names.begin(), names.end(), h.name) != names.end();
  });
}

LocalReply missing_token_reply() { return reply(401, "Bearer", "unauthorized"); }

LocalReply invalid_token_reply() {
  return reply(401, "Bearer error=\"invalid_token\"", "invalid_token");
}

LocalReply insufficient_scope_reply(std::string_view scope) {
  // Scopes are visible ASCII without '"' or '\' (config/policies/auth.cc),
  // so they go into the quoted string as they are.
  return reply(403, "Bearer error=\"insufficient_scope\", scope=\"" + std::string(scope) + "\"",
               "insufficient_scope");
}

LocalReply keys_unavailable_reply() { return reply(503, "", "authentication unavailable"); }

}  // namespace archway::filters::auth
