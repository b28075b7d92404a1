#pragma once
// The access log (DESIGN.md §4): one JSON object per finished request or
// stream, written by a background thread.
//
// - AccessLog (one per process, owned by the Server): spdlog's async logger
//   on its own thread pool and bounded queue, with spdlog's non-blocking
//   overflow policy. A full queue drops lines (counted, dropped()) and never
//   blocks an event loop. Nothing is created when the log is off.
// - AccessLogWriter (one per worker, worker-thread only): formats an entry
//   into a buffer it reuses and hands the line to the AccessLog.
// - format_access_log / append_json_string: pure, unit-tested.
//
// docs/proxy.md "Access log" lists the fields; docs/decisions.md says why.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spdlog {
class async_logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace archway::http {
struct Request;
}

namespace archway::exchange {

using http::Request;

// One line's fields. Views point into the exchange that finished; the
// writer formats them before returning.
struct AccessLogEntry {
  std::chrono::system_clock::time_point start;  // request head complete
  std::chrono::microseconds duration{0};        // head → response end (or give-up)
  std::string_view method;
  std::string_view authority;                   // as the client sent it
  std::string_view path;                        // request target as received (path and query)
  std::string_view protocol;                    // "HTTP/1.0" | "HTTP/1.1" | "HTTP/2"
  int status = 0;                               // 0: no response was sent (the client left first)
  uint64_t bytes_in = 0;                        // request body (or tunnel) bytes from the client
  uint64_t bytes_out = 0;                       // response body (or tunnel) bytes to the client
  std::string_view upstream;                    // "ip:port"; empty: no backend was chosen
  std::chrono::microseconds upstream_time{-1};  // to the backend's response head; <0: none
  uint32_t attempts = 0;   // attempts sent to backends; the field is written only when >1 (retried)
  std::string_view route;  // snapshot routeName (else the route's name); "" when none
  std::string_view rule;   // snapshot ruleName
  std::string_view client_ip;
  std::string_view identity;    // who auth let through (key id, token subject); "": none
  std::string_view trace_id;    // 32 hex digits, or ""
  std::string_view request_id;  // x-request-id, or ""
  // An aggregate's parts as a JSON object ({"order":{"outcome":"ok",
  // "status":200,"ms":3},...}), written as is; "": the field is left out.
  std::string_view parts;
};

// Appends `s` as a JSON string (with quotes). Quote, backslash and control
// characters are escaped; valid UTF-8 passes as is; every byte that is not
// part of a valid UTF-8 sequence becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// The formatted second of the last line ("2026-11-29T02:18:41"): gmtime_r
// and strftime were a quarter of a line's cost, and most lines share their
// second with the one before.
struct LogSecond {
  int64_t seconds = -1;
  char text[24] = {};
  size_t size = 0;
};
// Appends one JSON object (no newline) for `e`.
void format_access_log(const AccessLogEntry& e, std::string& out, LogSecond* second = nullptr);

// The fields of `e` that come from the request head as the client sent it
// (method, authority, path, protocol, client IP) and as forwarded
// (trace id, request id). `e` refers into `request`.
void set_request_fields(AccessLogEntry& e, const Request& request);

// The trace id of a W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), or ""
// when `traceparent` does not have that shape.
[[nodiscard]] std::string_view trace_id_of(std::string_view traceparent);

class AccessLog {
 public:
  // destination: "stdout" or a file path (appended to). queue_lines bounds
  // the lines waiting for the background thread.
  [[nodiscard]] static Result<std::unique_ptr<AccessLog>> open(const std::string& destination,
                                                               size_t queue_lines);
  ~AccessLog();  // writes what is queued, then stops the thread
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Any thread. Copies `line` into the queue; drops the oldest queued line
  // when the queue is full.
  void write(std::string_view line);
  // Lines dropped so far (archway_access_log_dropped_total). Any thread.
  [[nodiscard]] uint64_t dropped() const;

 private:
  AccessLog() = default;
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
};

// Per worker: null (off) or the process's AccessLog, and the worker's
// format buffer.
class AccessLogWriter {
 public:
  // Before the worker thread starts.
  void attach(AccessLog* log) { log_ = log; }
  [[nodiscard]] bool enabled() const { return log_ != nullptr; }
  void write(const AccessLogEntry& e);
  // An HTTP/1 request head refused by the codec before any exchange (400,
  // 408, 431): logged with no route, and with empty request fields when
  // the head did not parse as far as its request line.
  void write_rejected(const Request& request, std::string_view client_ip, int status,
                      uint64_t bytes_out);

 private:
  AccessLog* log_ = nullptr;
  std::string buffer_;
  LogSecond second_;
};

}  // namespace archway::exchange
