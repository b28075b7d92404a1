// normalize_path: RFC 3986 §5.2.4 dot-segment removal, '//' collapsing,
// unreserved-escape decoding, and the rejections the network side turns into 400.

#include "proxy/routing/path_normalize.h"

#include <gtest/gtest.h>

namespace archway::routing {
namespace {

struct Case {
  std::string in;
  std::string out;  // or the error message when `error`
  bool error = false;
};

TEST(NormalizePathTest, Table) {
  const std::vector<Case> cases = {
      {"/", "/"},
      {"/a/b", "/a/b"},
      {"/a/b/", "/a/b/"},
      {"//a///b//", "/a/b/"},
      {"/a/./b", "/a/b"},
      {"/a/.", "/a/"},
      {"/a/b/..", "/a/"},
      {"/a/b/../c", "/a/c"},
      {"/a/../../../etc/passwd", "/etc/passwd"},
      {"/..", "/"},
      {"/.", "/"},
      {"/a/..", "/"},
      {"/.well-known/x", "/.well-known/x"},
      {"/a/..b/.c", "/a/..b/.c"},
      {"/%61%62c", "/abc"},
      {"/%2e%2E/x", "/x"},                // encoded dots are dots
      {"/a/%2E/b", "/a/b"},
      {"/%7e%5F%2d%2E", "/~_-."},
      {"/a%20b", "/a%20b"},              // reserved/other escapes stay encoded
      {"/a%3f", "/a%3F"},                // with upper-case hex
      {"/a%25", "/a%25"},
      {"/a?b", "/a?b"},                  // a query is not this function's business
      {"", "must start with '/'", true},
      {"a/b", "must start with '/'", true},
      {"*", "must start with '/'", true},
      {"/a%2Fb", "encoded '/' is not allowed", true},
      {"/a%2fb", "encoded '/' is not allowed", true},
      {"/a%00", "NUL is not allowed", true},
      {std::string("/a\0b", 4), "NUL is not allowed", true},
      {"/a%", "invalid percent-encoding", true},
      {"/a%4", "invalid percent-encoding", true},
      {"/a%g1", "invalid percent-encoding", true},
  };
  for (const Case& c : cases) {
    auto r = normalize_path(c.in);
    if (c.error) {
      ASSERT_FALSE(r.ok()) << c.in;
      EXPECT_EQ(r.error().message, c.out) << c.in;
      EXPECT_EQ(r.error().field, "path");
    } else {
      ASSERT_TRUE(r.ok()) << c.in << ": " << r.error().message;
      EXPECT_EQ(*r, c.out) << c.in;
    }
  }
}

TEST(NormalizePathTest, IsIdempotent) {
  for (const char* p : {"//a/./b/../c%41%2e%20", "/x/%7E/..//y/"}) {
    auto once = normalize_path(p);
    ASSERT_TRUE(once.ok());
    auto twice = normalize_path(*once);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(*once, *twice);
  }
}

}  // namespace
}  // namespace archway::routing
