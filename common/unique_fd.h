#pragma once
// Owns one file descriptor and closes it on scope exit. The one such class:
// the snapshot store, the controller's admin client and tests share it.

#include <unistd.h>

namespace archway {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  // -1 when it holds none (a failed open, or after close()).
  [[nodiscard]] int get() const { return fd_; }
  // Closes now and reports the result: close can report a deferred write
  // error, which a writer that must know its data landed checks.
  [[nodiscard]] bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

}  // namespace archway
