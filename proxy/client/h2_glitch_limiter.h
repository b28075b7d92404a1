#pragma once
// Counts a client's HTTP/2 "glitches" (frames that are legal but useless or
// abusive: resets of streams we were serving, empty DATA frames, invalid
// frames, PINGs and SETTINGS beyond need, CONTINUATION floods) in a token
// bucket. When the bucket runs dry the connection gets GOAWAY
// ENHANCE_YOUR_CALM. This is how nghttpx and Envoy answer CVE-2023-44487
// (rapid reset) and CVE-2024-27316/28182 (CONTINUATION floods) where the
// library's own limits are absent or too coarse.
//
// Pure: time is passed in, so tests drive it with a fake clock.

#include <chrono>
#include <cstdint>

namespace archway::client {

class GlitchLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // `burst` glitches at once, refilled at `per_second`.
  GlitchLimiter(double burst, double per_second, Clock::time_point now)
      : burst_(burst), rate_(per_second), tokens_(burst), last_(now) {}

  // Records `weight` glitches; returns true when the client is over the limit.
  [[nodiscard]] bool record(Clock::time_point now, double weight = 1.0) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    if (elapsed > 0)
      tokens_ = tokens_ + elapsed * rate_ > burst_ ? burst_ : tokens_ + elapsed * rate_;
    tokens_ -= weight;
    return tokens_ < 0;
  }
  [[nodiscard]] double tokens() const { return tokens_; }

 private:
  double burst_;
  double rate_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace archway::client
