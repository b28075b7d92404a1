// build_introspection_request: the form body and HTTP Basic client
// authentication of RFC 6749 §2.3.1, with reserved characters everywhere.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/base64.h"
#include "proxy/identity/introspection_request.h"

namespace archway::identity {
namespace {

std::map<std::string, std::string> headers_of(const IntrospectionRequest& r) {
  return {r.headers.begin(), r.headers.end()};
}

TEST(IntrospectionRequest, PostsTheTokenAsAForm) {
  const auto r = build_introspection_request("2YotnFZFEjr1zCsicMWpAA", "gateway", "s3cret");
  EXPECT_EQ(r.body, "token=2YotnFZFEjr1zCsicMWpAA&token_type_hint=access_token");
  const auto headers = headers_of(r);
  EXPECT_EQ(headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(headers.at("accept"), "application/json");
  // base64("gateway:s3cret")
  EXPECT_EQ(headers.at("authorization"), "Basic Z2F0ZXdheTpzM2NyZXQ=");
}

TEST(IntrospectionRequest, EncodesReservedCharactersInTheToken) {
  // A token that tries to add a second form field, and b64token's own + / =.
  const auto r = build_introspection_request("a+b/c==&token=evil %", "id", "secret");
  EXPECT_EQ(r.body, "token=a%2Bb%2Fc%3D%3D%26token%3Devil%20%25&token_type_hint=access_token");
}

TEST(IntrospectionRequest, UrlencodesClientCredentialsBeforeBase64) {
  // RFC 6749 §2.3.1: a ':' in the id must not move the split.
  const auto r = build_introspection_request("t", "my:client id", "p@ss:w/rd+é");
  const std::string auth = headers_of(r).at("authorization");
  ASSERT_EQ(auth.rfind("Basic ", 0), 0u);
  const auto decoded = base64_decode(auth.substr(6));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "my%3Aclient%20id:p%40ss%3Aw%2Frd%2B%C3%A9");
}

TEST(IntrospectionRequest, FormUrlencodeKeepsUnreservedOnly) {
  EXPECT_EQ(form_urlencode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(form_urlencode(std::string("\0\r\n", 3)), "%00%0D%0A");
  EXPECT_EQ(form_urlencode(""), "");
}

}  // namespace
}  // namespace archway::identity
