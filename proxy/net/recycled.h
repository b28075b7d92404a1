#pragma once
// Recycled<T>: a base that gives T a per-thread free list of its own blocks,
// for objects made and destroyed once per HTTP/2 stream (H2Stream, its
// Exchange). glibc's per-thread cache keeps only 7 blocks of a size, which a
// worker with hundreds of streams in flight outruns, and then every new and
// delete takes malloc's slow path. At most kMaxFree blocks are kept per
// thread; a block freed on another thread joins that thread's list. Under
// AddressSanitizer the list is bypassed so that use-after-free stays visible.

#include <cstddef>
#include <new>

namespace archway::net {

template <typename T, size_t kMaxFree = 512>
class Recycled {
 public:
  static void* operator new(size_t size) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
#ifndef __SANITIZE_ADDRESS__
    FreeList& list = free_list();
    if (size == sizeof(T) && list.head != nullptr) {
      Node* node = list.head;
      list.head = node->next;
      --list.count;
      return node;
    }
#endif
    return ::operator new(size);
  }

  static void operator delete(void* p, [[maybe_unused]] size_t size) {
#ifndef __SANITIZE_ADDRESS__
    FreeList& list = free_list();
    if (size == sizeof(T) && list.count < kMaxFree) {
      auto* node = static_cast<Node*>(p);
      node->next = list.head;
      list.head = node;
      ++list.count;
      return;
    }
#endif
    ::operator delete(p);
  }

 private:
  struct Node {
    Node* next;
  };
  struct FreeList {
    Node* head = nullptr;
    size_t count = 0;
    ~FreeList() {
      while (head != nullptr) {
        Node* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  };
  static_assert(sizeof(Node) <= 64);
  static FreeList& free_list() {
    thread_local FreeList list;
    return list;
  }
};

}  // namespace archway::net
