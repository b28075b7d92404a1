#pragma once
// An nghttp2_mem allocator for one session: blocks of a few size classes are
// kept on per-class free lists and reused, so the library's per-stream
// allocations (stream, header buffers, outbound items: about five per
// stream) stop going through malloc. glibc's per-thread cache holds only 7
// blocks per size, which a session with hundreds of streams in flight
// outruns. Each class caches at most kCachedBytes; larger blocks go to
// malloc directly. One worker thread uses it; no locking.

#include <nghttp2/nghttp2.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace archway::client {

class MemPool {
 public:
  MemPool() {
    mem_.mem_user_data = this;
    mem_.malloc = [](size_t size, void* self) {
      return static_cast<MemPool*>(self)->allocate(size);
    };
    mem_.free = [](void* p, void* self) { static_cast<MemPool*>(self)->release(p); };
    mem_.calloc = [](size_t n, size_t size, void* self) -> void* {
      if (size != 0 && n > SIZE_MAX / size) return nullptr;
      void* p = static_cast<MemPool*>(self)->allocate(n * size);
      if (p != nullptr) std::memset(p, 0, n * size);
      return p;
    };
    mem_.realloc = [](void* p, size_t size, void* self) {
      return static_cast<MemPool*>(self)->reallocate(p, size);
    };
  }
  ~MemPool() {
    for (Free*& head : free_) {
      while (head != nullptr) {
        Free* next = head->next;
        std::free(reinterpret_cast<Head*>(head) - 1);
        head = next;
      }
    }
  }
  MemPool(const MemPool&) = delete;
  MemPool& operator=(const MemPool&) = delete;

  [[nodiscard]] nghttp2_mem* mem() { return &mem_; }

 private:
  // Before every block: its usable size (alignment kept at 16 bytes).
  struct alignas(16) Head {
    size_t capacity;
  };
  struct Free {
    Free* next;
  };
  static constexpr size_t kClasses = 8;  // 32, 64, ..., 4096 bytes
  static constexpr size_t kMinClass = 32;
  static constexpr size_t kCachedBytes = 64 * 1024;

  static size_t class_of(size_t size) {
    size_t c = 0;
    size_t cap = kMinClass;
    while (cap < size) {
      cap <<= 1;
      ++c;
    }
    return c;  // kClasses or more: not pooled
  }

  void* allocate(size_t size) {
    const size_t c = class_of(size);
    if (c < kClasses) {
      if (Free* f = free_[c]) {
        free_[c] = f->next;
        --count_[c];
        return f;
      }
      size = kMinClass << c;
    }
    auto* head = static_cast<Head*>(std::malloc(sizeof(Head) + size));
    if (head == nullptr) return nullptr;
    head->capacity = size;
    return head + 1;
  }

  void release(void* p) {
    if (p == nullptr) return;
    Head* head = static_cast<Head*>(p) - 1;
    const size_t cap = head->capacity;
    if (cap <= (kMinClass << (kClasses - 1))) {
      const size_t c = class_of(cap);
      if (count_[c] * cap < kCachedBytes) {
        auto* f = static_cast<Free*>(p);
        f->next = free_[c];
        free_[c] = f;
        ++count_[c];
        return;
      }
    }
    std::free(head);
  }

  void* reallocate(void* p, size_t size) {
    if (p == nullptr) return allocate(size);
    const size_t cap = (static_cast<Head*>(p) - 1)->capacity;
    if (size <= cap && size != 0) return p;
    void* q = allocate(size);
    if (q == nullptr) return nullptr;
    std::memcpy(q, p, cap < size ? cap : size);
    release(p);
    return q;
  }

  nghttp2_mem mem_{};
  std::array<Free*, kClasses> free_{};
  std::array<size_t, kClasses> count_{};
};

}  // namespace archway::client
