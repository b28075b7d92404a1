// http::Headers: a vector of fields whose removed strings are kept for the
// next fields (http/headers.h). Checked against std::vector for what the
// caller sees, and by the strings' storage for what it is for: a request
// parsed into a reused Request costs no allocation once the strings have
// grown.

#include <cstdlib>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "proxy/exchange/request_rewrite.h"
#include "proxy/http/headers.h"
#include "proxy/http/message.h"
#include "proxy/http1/request_parser.h"

// Counts this thread's calls to operator new while a test asks it to: the
// one way to see an allocation the test did not make itself. Replacing the
// global operator new is what the standard allows a program to do.
// GCC sees free() meet a pointer from operator new once both are inlined
// here; they are this file's own pair, malloc inside, so that is right.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace archway::http {
namespace {

std::vector<Header> live(const Headers& h) { return {h.begin(), h.end()}; }

// The same random sequence of edits on Headers and on std::vector<Header>
// leaves the same fields in the same order.
TEST(Headers, BehavesAsAVectorUnderRandomEdits) {
  std::mt19937 rng(7);
  Headers h;
  std::vector<Header> v;
  for (int step = 0; step < 5000; ++step) {
    const int op = static_cast<int>(rng() % 6);
    const std::string name = "n" + std::to_string(rng() % 8);
    const std::string value(rng() % 40, static_cast<char>('a' + rng() % 26));
    if (op <= 1 || v.empty()) {
      h.add(name, value);
      v.push_back({name, value});
    } else if (op == 2) {
      h.push_back(Header{name, value});
      v.push_back({name, value});
    } else if (op == 3) {
      const size_t i = rng() % v.size();
      auto it = h.erase(h.begin() + static_cast<long>(i));
      v.erase(v.begin() + static_cast<long>(i));
      EXPECT_EQ(it - h.begin(), static_cast<long>(i));
    } else if (op == 4) {
      const size_t removed = erase_if(h, [&](const Header& f) { return f.name == name; });
      EXPECT_EQ(removed, std::erase_if(v, [&](const Header& f) { return f.name == name; }));
    } else if (rng() % 10 == 0) {
      h.clear();
      v.clear();
    }
    ASSERT_EQ(live(h), v) << "step " << step;
  }
}

TEST(Headers, ClearedFieldsLendTheirStringsToTheNextOnes) {
  Headers h;
  h.add("x-request-id", std::string(36, 'a'));
  h.add("traceparent", std::string(55, 'b'));
  const char* first = h[0].value.data();
  const char* second = h[1].value.data();
  h.clear();
  EXPECT_TRUE(h.empty());
  h.add("x-request-id", std::string(30, 'c'));
  h.add("user-agent", std::string(50, 'd'));
  EXPECT_EQ(h[0].value.data(), first);
  EXPECT_EQ(h[1].value.data(), second);
  EXPECT_EQ(h[1].value, std::string(50, 'd'));
}

TEST(Headers, AnErasedFieldIsASpareNotAFree) {
  Headers h{{"a", std::string(40, 'x')}, {"b", "1"}, {"c", "2"}};
  const char* erased = h[0].value.data();
  h.erase(h.begin());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].name, "b");
  EXPECT_EQ(h[1].name, "c");
  h.add("d", std::string(20, 'y'));
  EXPECT_EQ(h[2].value.data(), erased);
}

TEST(Headers, CopiesHoldTheLiveFieldsOnly) {
  Headers h{{"a", "1"}, {"b", "2"}, {"c", "3"}};
  h.pop_back();
  Headers copy = h;
  EXPECT_EQ(copy.size(), 2u);
  EXPECT_EQ(copy, h);
  copy.add("c", "3");
  EXPECT_FALSE(copy == h);
  Headers moved = std::move(copy);
  EXPECT_EQ(moved.size(), 3u);
}

// The HTTP/1.1 keep-alive path: once a connection's Request has seen a
// request, the next one is parsed and given its forwarding fields
// (x-forwarded-*, x-request-id, traceparent) without one allocation.
TEST(Headers, KeepAliveRequestAllocatesNothing) {
  Request request;
  const std::string head =
      "GET /a HTTP/1.1\r\nHost: example.com\r\nUser-Agent: a-client-with-a-long-name/1.0\r\n"
      "Accept: application/json, text/plain, */*\r\nConnection: keep-alive\r\n\r\n";
  std::mt19937_64 rng(1);
  for (int round = 0; round < 3; ++round) {
    request.clear();
    std::optional<http1::RequestParser> parser;
    parser.emplace(request, 16384, 100);  // built outside the count, as the connection does
    boost::beast::error_code ec;
    allocations = 0;
    counting = round > 0;
    parser->put(boost::asio::buffer(head), ec);
    exchange::add_forwarding_headers(request.headers, "192.0.2.1", "http", rng);
    counting = false;
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(parser->is_header_done());
    ASSERT_NE(find_header(request.headers, "traceparent"), nullptr);
    ASSERT_NE(find_header(request.headers, "user-agent"), nullptr);
    EXPECT_EQ(request.authority, "example.com");
    EXPECT_EQ(find_header(request.headers, "connection"), nullptr);
    if (round > 0) {
      EXPECT_EQ(allocations, 0) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace archway::http
