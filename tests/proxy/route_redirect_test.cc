// redirect_location: the Location of a redirect action, as users of Gateway
// API's RequestRedirect filter expect it.

#include "proxy/routing/redirect.h"

#include <gtest/gtest.h>

namespace archway::routing {
namespace {

config::Redirect redirect(std::optional<std::string> scheme, std::optional<std::string> hostname,
                          std::optional<uint16_t> port, std::optional<std::string> path) {
  return config::Redirect{.scheme = std::move(scheme),
                          .hostname = std::move(hostname),
                          .port = port,
                          .path = std::move(path)};
}

TEST(RedirectLocationTest, ReplacedPathKeepsTheQueryString) {
  const RedirectRequest request{"http", "api.example.com", "/old", "page=2&sort=asc"};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/api"), request),
            "http://api.example.com/api?page=2&sort=asc");
}

TEST(RedirectLocationTest, KeptPathKeepsTheQueryString) {
  const RedirectRequest request{"http", "api.example.com", "/secure/page", "a=1"};
  EXPECT_EQ(redirect_location(redirect("https", {}, {}, {}), request),
            "https://api.example.com/secure/page?a=1");
}

TEST(RedirectLocationTest, NoQueryNoQuestionMark) {
  const RedirectRequest request{"http", "api.example.com", "/old", ""};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/api"), request), "http://api.example.com/api");
}

TEST(RedirectLocationTest, HostFromTheRequestIsLowercasedWithoutItsPort) {
  const RedirectRequest request{"https", "API.Example.com.:8443", "/x", ""};
  EXPECT_EQ(redirect_location(redirect({}, "new.example.com", 9443, {}), request),
            "https://new.example.com:9443/x");
  EXPECT_EQ(redirect_location(redirect("http", {}, {}, {}), request), "http://api.example.com/x");
}

// Gateway API: without a port and a scheme, the listener's port is kept
// (the client named it in the authority); with a scheme, that scheme's
// well-known port, which the Location leaves out.
TEST(RedirectLocationTest, PortFollowsGatewayAPI) {
  const RedirectRequest on_8080{"http", "api.example.com:8080", "/old", ""};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/new"), on_8080),
            "http://api.example.com:8080/new");
  EXPECT_EQ(redirect_location(redirect({}, "other.example.com", {}, {}), on_8080),
            "http://other.example.com:8080/old");
  EXPECT_EQ(redirect_location(redirect("https", {}, {}, {}), on_8080),
            "https://api.example.com/old");
  EXPECT_EQ(redirect_location(redirect("https", {}, 8443, {}), on_8080),
            "https://api.example.com:8443/old");
}

TEST(RedirectLocationTest, DefaultPortOfTheSchemeIsLeftOut) {
  const RedirectRequest request{"http", "api.example.com:80", "/x", ""};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/y"), request), "http://api.example.com/y");
  EXPECT_EQ(redirect_location(redirect("https", {}, 443, {}), request),
            "https://api.example.com/x");
  EXPECT_EQ(redirect_location(redirect({}, {}, 443, {}), request), "http://api.example.com:443/x");
}

TEST(RedirectLocationTest, IPv6AuthorityKeepsBracketsAndPort) {
  const RedirectRequest request{"http", "[::1]:8080", "/old", "q=1"};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/new"), request), "http://[::1]:8080/new?q=1");
  const RedirectRequest no_port{"http", "[::1]", "/old", ""};
  EXPECT_EQ(redirect_location(redirect({}, {}, {}, "/new"), no_port), "http://[::1]/new");
}

}  // namespace
}  // namespace archway::routing
