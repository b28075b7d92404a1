#pragma once
// Per-request deadlines without a timer per request. An Asio timer armed and
// cancelled for every request costs a timer-queue insert, a cancelled
// completion run through the scheduler and, whenever it becomes the earliest,
// a timerfd_settime syscall. Instead each worker keeps its pending deadlines
// in one intrusive list (O(1) to set and clear, no allocation) and one timer
// armed at the earliest of them; the timer is only re-armed when a new
// deadline is earlier than the armed one or when it fires. With one timeout
// for all requests it fires about once per timeout period, whatever the
// request rate. Worker-thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace archway::net {

class Deadlines;

// Something with a deadline: an object embeds one per deadline it needs.
class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  Deadline() = default;
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  [[nodiscard]] bool armed() const { return owner_ != nullptr; }

 protected:
  // The owner must clear the deadline before it goes away.
  virtual ~Deadline() = default;

 private:
  friend class Deadlines;
  // Runs once when the deadline passes (the deadline is already cleared).
  virtual void on_deadline() = 0;
  Clock::time_point when_{};
  Deadline* prev_ = nullptr;
  Deadline* next_ = nullptr;
  Deadlines* owner_ = nullptr;
};

class Deadlines {
 public:
  using Clock = Deadline::Clock;
  explicit Deadlines(boost::asio::io_context& io) : timer_(io) {}
  // Entries still linked belong to objects that die later (with the
  // io_context's pending handlers, at worker shutdown): unlink them all so
  // that their clear() finds another owner and touches nothing here.
  ~Deadlines() {
    for (Deadline* d = head_; d != nullptr;) {
      Deadline* next = d->next_;
      d->owner_ = nullptr;
      d->prev_ = d->next_ = nullptr;
      d = next;
    }
    head_ = nullptr;
  }
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  // Sets (or moves) `d`'s deadline.
  void set(Deadline& d, Clock::time_point when) {
    if (d.owner_ == nullptr) {
      d.owner_ = this;
      d.prev_ = nullptr;
      d.next_ = head_;
      if (head_ != nullptr) head_->prev_ = &d;
      head_ = &d;
    }
    d.when_ = when;
    if (!armed_ || when < armed_at_) arm(when);
  }
  void clear(Deadline& d) {
    if (d.owner_ != this) return;
    if (d.prev_ != nullptr)
      d.prev_->next_ = d.next_;
    else
      head_ = d.next_;
    if (d.next_ != nullptr) d.next_->prev_ = d.prev_;
    d.prev_ = d.next_ = nullptr;
    d.owner_ = nullptr;
  }
  // Number of pending deadlines (tests).
  [[nodiscard]] size_t size() const {
    size_t n = 0;
    for (const Deadline* d = head_; d != nullptr; d = d->next_) ++n;
    return n;
  }

 private:
  void arm(Clock::time_point when) {
    armed_ = true;
    armed_at_ = when;
    timer_.expires_at(when);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // re-armed meanwhile: the new wait is pending
      armed_ = false;
      fire();
    });
  }
  void fire() {
    for (;;) {
      const auto now = Clock::now();
      Deadline* due = nullptr;
      auto earliest = Clock::time_point::max();
      for (Deadline* d = head_; d != nullptr; d = d->next_) {
        if (d->when_ <= now) {
          due = d;
          break;
        }
        if (d->when_ < earliest) earliest = d->when_;
      }
      if (due == nullptr) {
        if (head_ != nullptr && (!armed_ || earliest < armed_at_)) arm(earliest);
        return;
      }
      // One at a time: a callback may clear (or destroy) any other entry.
      clear(*due);
      due->on_deadline();
    }
  }

  boost::asio::steady_timer timer_;
  Deadline* head_ = nullptr;
  Clock::time_point armed_at_{};
  bool armed_ = false;
};

}  // namespace archway::net
