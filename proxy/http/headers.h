#pragma once
// Headers: a head's fields in order, as a vector would hold them, except
// that clear() and erase() keep the removed fields' strings for the next
// fields to reuse. A connection that parses request after request into one
// Request (HTTP/1.1 keep-alive) then stops allocating once its strings have
// grown to the sizes it sees: the fields of the next request, and those the
// proxy adds (x-request-id, traceparent, x-forwarded-*), are written into
// strings that already have the room (docs/benchmarks.md, "allocations per
// request").
//
// The live fields are the first size() slots; the slots after them are
// spares, never visible. Iterators are the vector's and, as a vector's, are
// invalidated by adding a field. Worker-thread only, like the heads.

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace archway::http {

// Names are lowercase (HTTP/2 requires it; the HTTP/1 codec lowercases).
struct Header {
  std::string name;
  std::string value;

  bool operator==(const Header&) const = default;
};

class Headers {
 public:
  using value_type = Header;
  using iterator = std::vector<Header>::iterator;
  using const_iterator = std::vector<Header>::const_iterator;
  using size_type = std::size_t;
  using reference = Header&;
  using const_reference = const Header&;

  Headers() = default;
  Headers(std::initializer_list<Header> fields) : slots_(fields), size_(slots_.size()) {}
  // Copies carry the live fields only.
  Headers(const Headers& other) : slots_(other.begin(), other.end()), size_(other.size_) {}
  Headers& operator=(const Headers& other) {
    if (this != &other) {
      clear();
      for (const Header& h : other) add(h.name, h.value);
    }
    return *this;
  }
  Headers(Headers&& other) noexcept
      : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {}
  Headers& operator=(Headers&& other) noexcept {
    slots_ = std::move(other.slots_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  [[nodiscard]] iterator begin() { return slots_.begin(); }
  [[nodiscard]] iterator end() { return slots_.begin() + static_cast<std::ptrdiff_t>(size_); }
  [[nodiscard]] const_iterator begin() const { return slots_.begin(); }
  [[nodiscard]] const_iterator end() const {
    return slots_.begin() + static_cast<std::ptrdiff_t>(size_);
  }
  [[nodiscard]] size_type size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] Header& operator[](size_type i) { return slots_[i]; }
  [[nodiscard]] const Header& operator[](size_type i) const { return slots_[i]; }
  [[nodiscard]] Header& front() { return slots_.front(); }
  [[nodiscard]] Header& back() { return slots_[size_ - 1]; }
  [[nodiscard]] const Header& back() const { return slots_[size_ - 1]; }

  void reserve(size_type n) { slots_.reserve(n); }

  // Appends a field, reusing a spare slot's strings: no allocation once
  // the slot has held a field at least as long.
  Header& add(std::string_view name, std::string_view value) {
    if (size_ == slots_.size()) {
      // No spare: construct (cheaper than assigning into an empty string).
      slots_.push_back(Header{std::string(name), std::string(value)});
      ++size_;
      return slots_.back();
    }
    Header& h = slots_[size_++];
    h.name.assign(name);
    h.value.assign(value);
    return h;
  }
  void push_back(const Header& h) { add(h.name, h.value); }
  void push_back(Header&& h) {
    if (size_ == slots_.size()) {
      slots_.push_back(std::move(h));
      ++size_;
      return;
    }
    Header& slot = slots_[size_++];
    // Keep whichever buffer is larger; the other leaves with `h`.
    if (h.name.capacity() > slot.name.capacity()) {
      slot.name.swap(h.name);
    } else {
      slot.name.assign(h.name);
    }
    if (h.value.capacity() > slot.value.capacity()) {
      slot.value.swap(h.value);
    } else {
      slot.value.assign(h.value);
    }
  }
  template <typename... Args>
  Header& emplace_back(Args&&... args) {
    push_back(Header{std::forward<Args>(args)...});
    return back();
  }

  // Removed fields become spares (rotated past the end, strings kept).
  iterator erase(const_iterator first, const_iterator last) {
    const auto from = begin() + (first - slots_.cbegin());
    const auto to = begin() + (last - slots_.cbegin());
    std::rotate(from, to, end());
    size_ -= static_cast<size_type>(to - from);
    return from;
  }
  iterator erase(const_iterator position) { return erase(position, position + 1); }
  template <typename Predicate>
  size_type erase_if(Predicate predicate) {
    // remove_if's walk with swaps, so the removed strings stay as spares
    // (std::stable_partition may take a temporary buffer from the heap).
    size_type kept = 0;
    for (size_type i = 0; i < size_; ++i) {
      if (predicate(std::as_const(slots_[i]))) continue;
      if (kept != i) std::swap(slots_[kept], slots_[i]);
      ++kept;
    }
    const size_type removed = size_ - kept;
    size_ = kept;
    return removed;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(size_type n) {
    while (size_ > n) --size_;
    while (size_ < n) add({}, {});
  }

  friend bool operator==(const Headers& a, const Headers& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::vector<Header> slots_;
  size_type size_ = 0;
};

// std::erase_if's form, found by argument-dependent lookup.
template <typename Predicate>
Headers::size_type erase_if(Headers& headers, Predicate predicate) {
  return headers.erase_if(predicate);
}

}  // namespace archway::http
