// PUT /config and GET /jwks over the proxy's admin Unix socket with plain sockets: one
// request per connection (Connection: close), poll() bounds every wait, so a
// stuck proxy costs at most `timeout`.
#include "controller/push/proxy_admin_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "common/unique_fd.h"

namespace archway::controller::push {
namespace {

using Clock = std::chrono::steady_clock;

Error unavailable(std::string message) {
  return Error{Error::Code::kUnavailable, "", std::move(message)};
}

// Waits for `events` until the deadline; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (int attempt = 0; attempt < 1000; ++attempt) {  // bounded: EINTR only
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
  return false;
}

Result<void> send_all(int fd, const std::string& data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {
    if (!wait_for(fd, POLLOUT, deadline)) return unavailable("timed out sending the snapshot");
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unavailable(std::string("send: ") + std::strerror(errno));
    }
    sent += static_cast<size_t>(n);
  }
  return {};
}

// Reads until the peer closes or Content-Length bytes of body arrived.
Result<std::string> read_response(int fd, Clock::time_point deadline) {
  std::string data;
  char buf[16384];
  constexpr size_t kMaxResponse = 1 << 20;  // a NACK message is small
  while (data.size() < kMaxResponse) {
    const size_t head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::string head = data.substr(0, head_end);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t cl = head.find("content-length:");
      if (cl != std::string::npos) {
        const size_t length = std::strtoul(head.c_str() + cl + 15, nullptr, 10);
        if (data.size() >= head_end + 4 + length) return data;
      }
    }
    if (!wait_for(fd, POLLIN, deadline))
      return unavailable("timed out waiting for the proxy's reply");
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return data;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return unavailable(std::string("recv: ") + std::strerror(errno));
    }
    data.append(buf, static_cast<size_t>(n));
  }
  return unavailable("reply too large");
}

// A string member, or "" (never throws on an unexpected type).
std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

Result<PushReply> parse_reply(const std::string& response) {
  // "HTTP/1.1 200 OK"
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) {
    return unavailable("malformed reply from the proxy");
  }
  const int status = std::atoi(response.c_str() + 9);
  const size_t body_at = response.find("\r\n\r\n");
  const std::string body = body_at == std::string::npos ? "" : response.substr(body_at + 4);
  const auto json = nlohmann::json::parse(body, nullptr, false);
  PushReply reply;
  if (json.is_object()) {
    reply.ack = text(json, "status") == "ACK";
    reply.version = text(json, "version");
    reply.message = text(json, "message");
  }
  if (status == 200 && reply.ack) return reply;
  if (status == 400 || (json.is_object() && text(json, "status") == "NACK")) {
    reply.ack = false;
    if (reply.message.empty()) reply.message = body;
    return reply;
  }
  return unavailable("proxy answered HTTP " + std::to_string(status) + ": " + body.substr(0, 200));
}

// One request over the admin socket; the raw response.
Result<std::string> admin_exchange(const std::string& socket_path, const std::string& request,
                                   Clock::time_point deadline) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return invalid("admin-socket", "socket path is empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return unavailable(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS && errno != EAGAIN) {
    return unavailable("connect " + socket_path + ": " + std::strerror(errno));
  }
  if (auto sent = send_all(fd.get(), request, deadline); !sent.ok()) return sent.error();
  return read_response(fd.get(), deadline);
}

}  // namespace

Result<PushReply> push_snapshot(const std::string& socket_path, const std::string& snapshot_json,
                                std::chrono::milliseconds timeout) {
  const std::string request =
      "PUT /config HTTP/1.1\r\nHost: archway-proxy\r\n"
      "Content-Type: application/json\r\nConnection: close\r\n"
      "Content-Length: " +
      std::to_string(snapshot_json.size()) + "\r\n\r\n" + snapshot_json;
  auto response = admin_exchange(socket_path, request, Clock::now() + timeout);
  if (!response.ok()) return response.error();
  return parse_reply(*response);
}

Result<status::JwksReports> parse_jwks_status(const std::string& response) {
  if (response.rfind("HTTP/1.1 200", 0) != 0) {
    return unavailable("GET /jwks: " + response.substr(0, response.find('\r')));
  }
  const size_t body_at = response.find("\r\n\r\n");
  const auto json = nlohmann::json::parse(
      body_at == std::string::npos ? "" : response.substr(body_at + 4), nullptr, false);
  const auto sources = json.is_object() ? json.find("sources") : json.end();
  if (!json.is_object() || sources == json.end() || !sources->is_array()) {
    return unavailable("GET /jwks: not a list of sources");
  }
  status::JwksReports reports;
  for (const auto& entry : *sources) {
    if (!entry.is_object()) continue;
    status::JwksSourceReport report;
    report.uri = text(entry, "uri");
    report.state = text(entry, "state");
    report.error = text(entry, "error");
    if (const auto keys = entry.find("keys"); keys != entry.end() && keys->is_number_unsigned()) {
      report.keys = keys->get<uint64_t>();
    }
    if (!report.uri.empty()) reports[report.uri] = std::move(report);
  }
  return reports;
}

Result<status::JwksReports> fetch_jwks_status(const std::string& socket_path,
                                              std::chrono::milliseconds timeout) {
  auto response = admin_exchange(
      socket_path, "GET /jwks HTTP/1.1\r\nHost: archway-proxy\r\nConnection: close\r\n\r\n",
      Clock::now() + timeout);
  if (!response.ok()) return response.error();
  return parse_jwks_status(*response);
}

}  // namespace archway::controller::push
