#include "proxy/health/prober.h"

#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <functional>

namespace archway::health {
namespace {

// A response head larger than this is not a health answer: failure.
constexpr size_t kMaxHead = 16 * 1024;

std::string endpoint_name(const boost::asio::ip::tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

// A cluster being probed; `retired` once a swap replaced it (prober thread).
struct Prober::Target {
  ProbeTarget target;
  std::vector<std::string> requests;                               // by endpoint, built once
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;  // by endpoint
  bool retired = false;
};

// One probe in flight: its connection, deadline and what has arrived.
// Holds itself through its handlers; `done` runs once, on the prober's
// thread, with the outcome and a word on why.
struct Prober::Probe : std::enable_shared_from_this<Prober::Probe> {
  using Done = std::function<void(resilience::ProbeResult, int status, const std::string& why)>;
  Probe(boost::asio::io_context& io, Done on_done)
      : socket(io), deadline(io), done(std::move(on_done)) {}

  void start(const boost::asio::ip::tcp::endpoint& endpoint, const std::string& request,
             std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    deadline.expires_after(timeout);
    deadline.async_wait([self](const boost::system::error_code& ec) {
      if (ec || !self->done) return;
      self->timed_out = true;
      boost::system::error_code ignored;
      self->socket.close(ignored);  // ends whichever step is waiting
    });
    socket.async_connect(endpoint, [self, &request](const boost::system::error_code& ec) {
      if (ec) return self->end(resilience::ProbeResult::kFailure, 0, "connect: " + ec.message());
      boost::asio::async_write(self->socket, boost::asio::buffer(request),
                               [self](const boost::system::error_code& write_ec, size_t) {
                                 if (write_ec) {
                                   return self->end(resilience::ProbeResult::kFailure, 0,
                                                    "send: " + write_ec.message());
                                 }
                                 self->read();
                               });
    });
  }

  void read() {
    auto self = shared_from_this();
    socket.async_read_some(boost::asio::buffer(buffer),
                           [self](const boost::system::error_code& ec, size_t n) {
                             self->head.append(self->buffer, n);
                             self->received(ec);
                           });
  }

  void received(const boost::system::error_code& ec) {
    const bool complete = head.find("\r\n\r\n") != std::string::npos;
    if (!complete && !ec && head.size() <= kMaxHead) return read();
    const int status = Prober::status_of(head);
    if (!complete || status == 0) {
      return end(resilience::ProbeResult::kFailure, 0,
                 ec && ec != boost::asio::error::eof ? "no response head: " + ec.message()
                                                     : "not an HTTP/1.x response head");
    }
    end(resilience::ProbeResult::kSuccess, status, "status " + std::to_string(status));
  }

  void end(resilience::ProbeResult result, int status, const std::string& why) {
    if (!done) return;
    deadline.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    auto finished = std::move(done);
    done = nullptr;
    if (timed_out) {
      finished(resilience::ProbeResult::kTimeout, 0, "no response head within the timeout");
    } else {
      finished(result, status, why);
    }
  }

  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer deadline;
  Done done;
  std::string head;
  char buffer[2048];
  bool timed_out = false;
};

Prober::Prober() {
  thread_ = std::thread([this] {
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

Prober::~Prober() { stop(); }

void Prober::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string Prober::request(const config::HealthCheck& check,
                            const boost::asio::ip::tcp::endpoint& endpoint) {
  return "GET " + check.path +
         " HTTP/1.1\r\nHost: " + check.host.value_or(endpoint_name(endpoint)) +
         "\r\nUser-Agent: archway-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

int Prober::status_of(std::string_view head) {
  // "HTTP/1.x SSS" and then a space or the end of the line.
  if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') return 0;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') return 0;
    status = status * 10 + (head[i] - '0');
  }
  if (head.size() > 12 && head[12] != ' ' && head[12] != '\r') return 0;
  return status >= 100 ? status : 0;
}

void Prober::update(std::vector<ProbeTarget> targets) {
  boost::asio::post(io_, [this, targets = std::move(targets)]() mutable {
    for (auto& old : live_) {
      old->retired = true;
      for (auto& timer : old->timers) timer->cancel();
    }
    live_.clear();
    for (auto& t : targets) {
      if (!t.state || t.endpoints.size() != t.state->size()) continue;
      auto target = std::make_shared<Target>();
      target->target = std::move(t);
      const auto& check = target->target.check;
      for (const auto& endpoint : target->target.endpoints) {
        target->requests.push_back(request(check, endpoint));
        target->timers.push_back(std::make_unique<boost::asio::steady_timer>(io_));
      }
      live_.push_back(target);
      // The first probes spread over one interval: a snapshot with many
      // endpoints does not open all its probe connections at once.
      for (size_t i = 0; i < target->target.endpoints.size(); ++i) {
        std::uniform_int_distribution<int64_t> first(0, check.interval.count());
        schedule(target, i, std::chrono::milliseconds(first(rng_)));
      }
    }
  });
}

std::chrono::milliseconds Prober::jittered(std::chrono::milliseconds interval) {
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(interval.count()) * factor(rng_)));
}

void Prober::schedule(const std::shared_ptr<Target>& target, size_t endpoint,
                      std::chrono::milliseconds delay) {
  auto& timer = *target->timers[endpoint];
  timer.expires_after(delay);
  timer.async_wait([this, target, endpoint](const boost::system::error_code& ec) {
    if (ec || target->retired) return;
    probe(target, endpoint);
  });
}

void Prober::probe(const std::shared_ptr<Target>& target, size_t endpoint) {
  auto p = std::make_shared<Probe>(
      io_,
      [this, target, endpoint](resilience::ProbeResult result, int status, const std::string& why) {
        // A status came back: whether it passes is the check's to say.
        if (result == resilience::ProbeResult::kSuccess &&
            !target->target.check.expected(static_cast<uint16_t>(status))) {
          result = resilience::ProbeResult::kFailure;
        }
        finish(target, endpoint, result, why);
      });
  // The request lives in the target, which the probe's callback holds.
  p->start(target->target.endpoints[endpoint], target->requests[endpoint],
           target->target.check.effective_timeout());
}

void Prober::finish(const std::shared_ptr<Target>& target, size_t endpoint,
                    resilience::ProbeResult result, const std::string& why) {
  const auto& t = target->target;
  if (!target->retired) {
    const auto change = t.state->record(endpoint, result);
    if (change != resilience::HealthState::Transition::kNone) {
      const bool up = change == resilience::HealthState::Transition::kBecameHealthy;
      spdlog::log(up ? spdlog::level::info : spdlog::level::warn,
                  "health check: cluster {} endpoint {} is {} (last probe: {}: {})", t.cluster,
                  endpoint_name(t.endpoints[endpoint]), up ? "healthy" : "unhealthy",
                  resilience::probe_result_name(result), why);
    }
    schedule(target, endpoint, jittered(t.check.interval));
  }
}

}  // namespace archway::health
