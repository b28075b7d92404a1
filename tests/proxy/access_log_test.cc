// The access log's JSON: string escaping (arbitrary bytes in, valid JSON
// out), field rendering, trace ids, and the async logger: file output,
// dropping (never blocking) when its queue is full.

#include "proxy/exchange/access_log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace archway::exchange {
namespace {

using namespace std::chrono_literals;

std::string json_string(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(AccessLogJson, Escaping) {
  struct Case {
    std::string_view name;
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"empty", "", R"("")"},
      {"plain", "/v1/orders?id=7", R"("/v1/orders?id=7")"},
      {"quote and backslash", R"(a"b\c)", R"("a\"b\\c")"},
      {"named controls", "a\nb\rc\td", R"("a\nb\rc\td")"},
      {"other controls", std::string("\x01\x1f\x7f", 3), R"("\u0001\u001f\u007f")"},
      {"NUL", std::string("a\0b", 3), R"("a\u0000b")"},
      {"two-byte UTF-8", "caf\xc3\xa9", "\"caf\xc3\xa9\""},
      {"three-byte UTF-8", "\xe2\x82\xac", "\"\xe2\x82\xac\""},
      {"four-byte UTF-8", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
      {"lone continuation", "a\x80z", R"("a\ufffdz")"},
      {"truncated sequence", "a\xc3", R"("a\ufffd")"},
      {"truncated inside", "\xe2\x82z", R"("\ufffd\ufffdz")"},
      {"overlong slash", "\xc0\xaf", R"("\ufffd\ufffd")"},
      {"overlong three-byte", "\xe0\x80\xaf", R"("\ufffd\ufffd\ufffd")"},
      {"surrogate", "\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"above U+10FFFF", "\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"0xff", "\xff", R"("\ufffd")"},
  };
  for (const auto& c : cases) {
    const std::string got = json_string(c.in);
    EXPECT_EQ(got, c.want) << c.name;
    // Whatever went in, a strict JSON parser reads a string back.
    EXPECT_TRUE(nlohmann::json::accept(got)) << c.name;
  }
}

TEST(AccessLogJson, EveryByteValue) {
  for (int b = 0; b < 256; ++b) {
    const std::string in = "x" + std::string(1, static_cast<char>(b)) + "y";
    const std::string got = json_string(in);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(got)) << "byte " << b << ": " << got;
    if (b < 0x80) {
      EXPECT_EQ(parsed.get<std::string>(), in) << "byte " << b;
    } else {
      EXPECT_EQ(parsed.get<std::string>(), "x\xef\xbf\xbdy") << "byte " << b;
    }
  }
}

AccessLogEntry sample() {
  AccessLogEntry e;
  e.start = std::chrono::system_clock::time_point(1796092721123456us);  // 2026-12-01T02:38:41.123
  e.duration = 12345us;
  e.method = "POST";
  e.authority = "api.example.com";
  e.path = "/v1/orders?id=7";
  e.protocol = "HTTP/2";
  e.status = 201;
  e.bytes_in = 17;
  e.bytes_out = 1024;
  e.upstream = "10.0.0.7:8080";
  e.upstream_time = 10001us;
  e.route = "shop/orders";
  e.rule = "write-orders";
  e.client_ip = "203.0.113.9";
  e.identity = "team-a";
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.request_id = "req-1";
  return e;
}

TEST(AccessLogJson, Fields) {
  std::string line;
  format_access_log(sample(), line);
  EXPECT_EQ(line,
            R"({"time":"2026-12-01T02:38:41.123Z","method":"POST","authority":"api.example.com",)"
            R"("path":"/v1/orders?id=7","protocol":"HTTP/2","status":201,"bytes_in":17,)"
            R"("bytes_out":1024,"duration_ms":12.345,"upstream":"10.0.0.7:8080",)"
            R"("upstream_ms":10.001,"route":"shop/orders","rule":"write-orders",)"
            R"("client_ip":"203.0.113.9","identity":"team-a",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736",)"
            R"("request_id":"req-1"})");
}

// An aggregate's parts (filters/aggregate/composition.h parts_log) close
// the line, as given.
TEST(AccessLogJson, AggregatePartsLastWhenSet) {
  AccessLogEntry e = sample();
  e.parts = R"({"order":{"outcome":"ok","status":200,"ms":3}})";
  std::string line;
  format_access_log(e, line);
  const std::string tail =
      R"("request_id":"req-1","parts":{"order":{"outcome":"ok","status":200,"ms":3}}})";
  ASSERT_GE(line.size(), tail.size());
  EXPECT_EQ(line.substr(line.size() - tail.size()), tail);
}

// A retried request says how many attempts it took, after upstream_ms;
// one attempt (or none) writes no field.
TEST(AccessLogJson, AttemptsOnlyWhenRetried) {
  const struct {
    uint32_t attempts;
    bool written;
  } cases[] = {{0, false}, {1, false}, {3, true}};
  for (const auto& c : cases) {
    AccessLogEntry e = sample();
    e.attempts = c.attempts;
    std::string line;
    format_access_log(e, line);
    const bool has = line.find(R"("upstream_ms":10.001,"attempts":3,"route")") != std::string::npos;
    EXPECT_EQ(has, c.written) << c.attempts << ": " << line;
    if (!c.written) {
      EXPECT_EQ(line.find("attempts"), std::string::npos) << line;
    }
  }
}

TEST(AccessLogJson, CachedSecondFollowsTheClock) {
  // One cache across lines, as a worker uses it: a line in the same second
  // reuses the text, a later or earlier second reformats it.
  LogSecond cache;
  const struct {
    std::chrono::milliseconds delta;
    std::string_view time;
  } steps[] = {{0ms, "2026-12-01T02:38:41.123Z"},
               {500ms, "2026-12-01T02:38:41.623Z"},
               {900ms, "2026-12-01T02:38:42.023Z"},
               {86400000ms, "2026-12-02T02:38:41.123Z"},
               {-1000ms, "2026-12-01T02:38:40.123Z"}};
  for (const auto& step : steps) {
    AccessLogEntry e = sample();
    e.start += step.delta;
    std::string line;
    format_access_log(e, line, &cache);
    EXPECT_EQ(nlohmann::json::parse(line).at("time"), step.time) << line;
  }
}

TEST(AccessLogJson, LocalResponseAndHostileValues) {
  struct Case {
    std::string_view name;
    void (*edit)(AccessLogEntry&);
    std::string_view key;
    nlohmann::json want;
  };
  const Case cases[] = {
      {"no upstream", [](AccessLogEntry& e) { e.upstream = {}; }, "upstream", nullptr},
      {"no upstream time", [](AccessLogEntry& e) { e.upstream_time = -1us; }, "upstream_ms",
       nullptr},
      {"no route", [](AccessLogEntry& e) { e.route = {}; }, "route", ""},
      {"not authenticated", [](AccessLogEntry& e) { e.identity = {}; }, "identity", nullptr},
      {"quote in a token's subject", [](AccessLogEntry& e) { e.identity = "a\",\"x\":\""; },
       "identity", "a\",\"x\":\""},
      {"client left", [](AccessLogEntry& e) { e.status = 0; }, "status", 0},
      {"sub-millisecond", [](AccessLogEntry& e) { e.duration = 7us; }, "duration_ms", 0.007},
      {"hours", [](AccessLogEntry& e) { e.duration = 3600000001us; }, "duration_ms", 3600000.001},
      {"quote in path", [](AccessLogEntry& e) { e.path = "/a\"},\"status\":1,\"x\":\""; }, "path",
       "/a\"},\"status\":1,\"x\":\""},
      {"newline in authority", [](AccessLogEntry& e) { e.authority = "a\nb"; }, "authority",
       "a\nb"},
      {"bad UTF-8 in path", [](AccessLogEntry& e) { e.path = "/\xff"; }, "path", "/\xef\xbf\xbd"},
  };
  for (const auto& c : cases) {
    AccessLogEntry e = sample();
    c.edit(e);
    std::string line;
    format_access_log(e, line);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(line)) << c.name << ": " << line;
    EXPECT_EQ(parsed.size(), 17u) << c.name;
    EXPECT_EQ(parsed.at(std::string(c.key)), c.want) << c.name << ": " << line;
    EXPECT_EQ(parsed.at("status"), c.key == "status" ? c.want : nlohmann::json(201)) << c.name;
  }
}

TEST(AccessLogJson, TraceId) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       "4bf92f3577b34da6a3ce929d0e0e4736"},
      {"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ""},  // uppercase is invalid
      {"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", ""},   // short id
      {"garbage", ""},
      {"", ""},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(trace_id_of(in), want) << in;
}

TEST(AccessLog, WritesLinesToAFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("archway-access-log-test-" + std::to_string(::getpid()) + ".log");
  std::filesystem::remove(path);
  {
    auto log = AccessLog::open(path.string(), 16);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    AccessLogWriter writer;
    writer.attach(log->get());
    ASSERT_TRUE(writer.enabled());
    for (int i = 0; i < 3; ++i) writer.write(sample());
    EXPECT_EQ((*log)->dropped(), 0u);
  }  // the destructor drains the queue
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(nlohmann::json::parse(line).at("status"), 201);
    ++lines;
  }
  EXPECT_EQ(lines, 3);
  std::filesystem::remove(path);
}

TEST(AccessLog, FullQueueDropsInsteadOfBlocking) {
  // A FIFO nobody reads: the writer thread blocks once the pipe is full, the
  // queue (16 lines) fills, and further writes must drop, not wait.
  const auto path = std::filesystem::temp_directory_path() /
                    ("archway-access-log-test-fifo-" + std::to_string(::getpid()));
  std::filesystem::remove(path);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);  // so the writer's open returns
  ASSERT_GE(reader, 0);
  std::thread drain;
  {
    auto log = AccessLog::open(path.string(), 16);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    AccessLogWriter writer;
    writer.attach(log->get());
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i) writer.write(sample());  // ~7 MB, far over a pipe
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "writes waited for the reader";
    EXPECT_GT((*log)->dropped(), 0u);
    // Let the writer thread finish so the destructor can join it.
    ::fcntl(reader, F_SETFL, 0);
    drain = std::thread([reader] {
      char buf[65536];
      while (::read(reader, buf, sizeof buf) > 0) {
      }
    });
  }
  drain.join();
  ::close(reader);
  std::filesystem::remove(path);
}

TEST(AccessLog, BadDestinationAndBuffer) {
  // spdlog creates missing directories; below a regular file it cannot.
  const auto file = std::filesystem::temp_directory_path() /
                    ("archway-access-log-test-file-" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  EXPECT_FALSE(AccessLog::open((file / "access.log").string(), 16).ok());
  std::filesystem::remove(file);
  EXPECT_FALSE(AccessLog::open("stdout", 0).ok());
  AccessLogWriter off;
  EXPECT_FALSE(off.enabled());
}

}  // namespace
}  // namespace archway::exchange
