#include "proxy/exchange/access_log.h"

#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <ctime>

#include "proxy/http/message.h"

namespace archway::exchange {

using http::find_header;

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void append_uint(std::string& out, uint64_t v) {
  char buf[20];
  char* p = buf + sizeof buf;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, static_cast<size_t>(buf + sizeof buf - p));
}

// Microseconds as milliseconds with three decimals ("12.345").
void append_ms(std::string& out, std::chrono::microseconds us) {
  const uint64_t v = us.count() < 0 ? 0 : static_cast<uint64_t>(us.count());
  append_uint(out, v / 1000);
  const auto frac = static_cast<unsigned>(v % 1000);
  const char digits[] = {'.', static_cast<char>('0' + frac / 100),
                         static_cast<char>('0' + frac / 10 % 10),
                         static_cast<char>('0' + frac % 10)};
  out.append(digits, sizeof digits);
}

// RFC 3339 UTC with milliseconds: 2026-11-29T02:18:41.123Z
void append_time(std::string& out, std::chrono::system_clock::time_point t, LogSecond* cache) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  LogSecond local;
  LogSecond& second = cache != nullptr ? *cache : local;
  if (second.seconds != secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    second.size = std::strftime(second.text, sizeof second.text, "%Y-%m-%dT%H:%M:%S", &tm);
    second.seconds = secs;
  }
  out.append(second.text, second.size);
  const auto frac = static_cast<unsigned>(ms % 1000);
  const char digits[] = {'.', static_cast<char>('0' + frac / 100),
                         static_cast<char>('0' + frac / 10 % 10),
                         static_cast<char>('0' + frac % 10), 'Z'};
  out.append(digits, sizeof digits);
}

// `key` is the whole `,"name":` so a field costs one append before its value.
void field(std::string& out, std::string_view key, std::string_view value) {
  out.append(key);
  append_json_string(out, value);
}

void field_or_null(std::string& out, std::string_view key, std::string_view value) {
  if (value.empty()) {
    out.append(key).append("null");
  } else {
    field(out, key, value);
  }
}

void number(std::string& out, std::string_view key, uint64_t value) {
  out.append(key);
  append_uint(out, value);
}

constexpr std::array<bool, 256> make_plain_table() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[c] = c != '"' && c != '\\';
  return t;
}
// Bytes a JSON string holds as they are (printable ASCII but " and \).
constexpr auto kPlain = make_plain_table();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kPlain[c]) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t n = utf8_sequence(s, i); n > 0) {
        i += n;
        continue;
      }
    }
    out.append(s.data() + plain, i - plain);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c >= 0x80) {
          out.append("\\ufffd");  // not UTF-8: the replacement character
        } else {
          const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
          out.append(u, sizeof u);
        }
    }
    plain = ++i;
  }
  out.append(s.data() + plain, s.size() - plain);
  out.push_back('"');
}

void format_access_log(const AccessLogEntry& e, std::string& out, LogSecond* second) {
  out.append("{\"time\":\"");
  append_time(out, e.start, second);
  out.push_back('"');
  field(out, R"(,"method":)", e.method);
  field(out, R"(,"authority":)", e.authority);
  field(out, R"(,"path":)", e.path);
  field(out, R"(,"protocol":)", e.protocol);
  number(out, R"(,"status":)", static_cast<uint64_t>(e.status < 0 ? 0 : e.status));
  number(out, R"(,"bytes_in":)", e.bytes_in);
  number(out, R"(,"bytes_out":)", e.bytes_out);
  out.append(",\"duration_ms\":");
  append_ms(out, e.duration);
  field_or_null(out, R"(,"upstream":)", e.upstream);
  out.append(",\"upstream_ms\":");
  if (e.upstream_time.count() < 0) {
    out.append("null");
  } else {
    append_ms(out, e.upstream_time);
  }
  if (e.attempts > 1) number(out, R"(,"attempts":)", e.attempts);
  field(out, R"(,"route":)", e.route);
  field(out, R"(,"rule":)", e.rule);
  field(out, R"(,"client_ip":)", e.client_ip);
  field_or_null(out, R"(,"identity":)", e.identity);
  field(out, R"(,"trace_id":)", e.trace_id);
  field(out, R"(,"request_id":)", e.request_id);
  if (!e.parts.empty()) out.append(R"(,"parts":)").append(e.parts);
  out.push_back('}');
}

void set_request_fields(AccessLogEntry& e, const Request& r) {
  e.method = r.method;
  e.authority = r.authority;
  e.path = r.target;
  e.protocol = r.version == 20 ? "HTTP/2" : r.version == 10 ? "HTTP/1.0" : "HTTP/1.1";
  e.client_ip = r.client_ip;
  if (const auto* h = find_header(r.headers, "traceparent")) e.trace_id = trace_id_of(h->value);
  if (const auto* h = find_header(r.headers, "x-request-id")) e.request_id = h->value;
}

std::string_view trace_id_of(std::string_view tp) {
  if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return {};
  const std::string_view id = tp.substr(3, 32);
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return id;
}

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& destination,
                                                   size_t queue_lines) {
  if (queue_lines == 0) return invalid("--access-log-buffer", "must be at least 1");
  std::unique_ptr<AccessLog> log(new AccessLog());
  try {
    spdlog::sink_ptr sink;
    if (destination == "stdout") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(destination, false);
    }
    // Our own pool (one thread, our queue bound), and a logger that is not
    // registered with spdlog's registry: nothing global is touched.
    log->pool_ = std::make_shared<spdlog::details::thread_pool>(queue_lines, 1);
    log->logger_ = std::make_shared<spdlog::async_logger>(
        "access", std::move(sink), log->pool_, spdlog::async_overflow_policy::overrun_oldest);
  } catch (const spdlog::spdlog_ex& e) {  // a file we cannot open, a queue too large
    return invalid("--access-log", e.what());
  }
  log->logger_->set_pattern("%v");
  log->logger_->set_level(spdlog::level::info);
  // Each line is flushed by the background thread once written: a reader
  // (tail -f, a log shipper) sees it at once; the event loops never wait.
  log->logger_->flush_on(spdlog::level::info);
  return log;
}

AccessLog::~AccessLog() {
  if (logger_) logger_->flush();
  logger_.reset();
  pool_.reset();  // joins the thread after it drained the queue
}

void AccessLog::write(std::string_view line) {
  logger_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

uint64_t AccessLog::dropped() const { return pool_->overrun_counter(); }

void AccessLogWriter::write(const AccessLogEntry& e) {
  buffer_.clear();
  format_access_log(e, buffer_, &second_);
  log_->write(buffer_);
}

void AccessLogWriter::write_rejected(const Request& request, std::string_view client_ip, int status,
                                     uint64_t bytes_out) {
  if (log_ == nullptr) return;
  AccessLogEntry e;
  e.start = std::chrono::system_clock::now();
  set_request_fields(e, request);
  e.client_ip = client_ip;  // the codec fills request.client_ip only once the head parsed
  e.status = status;
  e.bytes_out = bytes_out;
  write(e);
}

}  // namespace archway::exchange
