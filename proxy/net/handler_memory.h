#pragma once
// HandlerMemory: room inside a connection for the state Asio allocates per
// asynchronous operation, so that an operation a connection starts once per
// request costs no heap allocation.
//
// Why: Asio (Boost 1.74) recycles one freed operation block per thread and
// purpose. A worker with a client read, a backend read and a client write
// in flight at once outruns that one block, and the client's write then
// went to malloc and free on every response (docs/benchmarks.md,
// "allocations per request"). This is the pattern of Asio's own
// "allocation" example: a fixed buffer per operation kind, handed out
// through the handler's associated allocator, with operator new as the
// fallback when it is in use or too small. Worker-thread only; one
// operation at a time per HandlerMemory (a connection has at most one write
// in flight).

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace archway::net {

class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(std::size_t size) {
#ifndef __SANITIZE_ADDRESS__  // under ASan every block is its own, so misuse stays visible
    if (!in_use_ && size <= sizeof(storage_)) {
      in_use_ = true;
      return &storage_;
    }
#endif
    return ::operator new(size);
  }
  void deallocate(void* pointer) {
    if (pointer == &storage_) {
      in_use_ = false;
    } else {
      ::operator delete(pointer);
    }
  }

 private:
  // Large enough for a composed write of one buffer sequence over TCP or
  // TLS with a lambda holding a shared_ptr (measured: 200-400 bytes).
  alignas(std::max_align_t) unsigned char storage_[512];
  bool in_use_ = false;
};

// The allocator Asio finds through a handler's get_allocator().
template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;
  explicit HandlerAllocator(HandlerMemory& memory) : memory_(&memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* pointer, std::size_t /*n*/) { memory_->deallocate(pointer); }

  template <typename U>
  bool operator==(const HandlerAllocator<U>& other) const noexcept {
    return memory_ == other.memory_;
  }

 private:
  template <typename>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

// A handler that allocates its operation from `memory`. The memory must
// outlive the operation: keep it in the object the handler keeps alive.
template <typename Handler>
class WithMemory {
 public:
  using allocator_type = HandlerAllocator<Handler>;

  WithMemory(HandlerMemory& memory, Handler handler)
      : memory_(&memory), handler_(std::move(handler)) {}

  [[nodiscard]] allocator_type get_allocator() const noexcept { return allocator_type(*memory_); }

  template <typename... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  HandlerMemory* memory_;
  Handler handler_;
};

template <typename Handler>
[[nodiscard]] WithMemory<std::decay_t<Handler>> with_memory(HandlerMemory& memory,
                                                            Handler&& handler) {
  return WithMemory<std::decay_t<Handler>>(memory, std::forward<Handler>(handler));
}

}  // namespace archway::net
