// RFC 9113 §8.3.1: Host against :authority (proxy/client/h2_authority_check.h).

#include <gtest/gtest.h>

#include "proxy/client/h2_authority_check.h"

namespace archway::client {
namespace {

struct Case {
  const char* a;
  const char* b;
  const char* scheme;
  bool same;
};

TEST(Http2AuthorityCheck, HostMustNameTheSameAuthorityAsPseudoHeader) {
  const Case cases[] = {
      {"api.test", "api.test", "http", true},
      {"api.test", "API.Test", "http", true},
      {"api.test", "api.test:80", "http", true},
      {"api.test:443", "api.test", "https", true},
      {"api.test:8080", "api.test:8080", "http", true},
      {"[::1]", "[::1]:80", "http", true},
      {"api.test", "other.test", "http", false},
      {"api.test", "api.test:443", "http", false},
      {"api.test", "api.test:80", "https", false},
      {"api.test:8080", "api.test", "http", false},
      {"api.test", "api.test.", "http", false},
      {"[::1]:8080", "[::1]", "http", false},
      {"api.test", "", "http", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(same_authority(c.a, c.b, c.scheme), c.same)
        << c.a << " vs " << c.b << " on " << c.scheme;
    EXPECT_EQ(same_authority(c.b, c.a, c.scheme), c.same) << c.b << " vs " << c.a;
  }
}

}  // namespace
}  // namespace archway::client
