#pragma once
// Errors are values on every path that handles input (STYLE.md habit 6).
// std::expected is C++23 and our toolchain is C++20, so Result<T> is a thin
// wrapper over std::variant with the same shape: ok() / value() / error().

#include <string>
#include <utility>
#include <variant>

namespace archway {

// One project-wide error vocabulary. `field` names the input location at
// fault (e.g. "routes[3].match.path.value") so a NACK or a condition message
// can point a person at it.
struct Error {
  enum class Code {
    kInvalidArgument,  // input failed validation
    kNotFound,         // a referenced thing does not exist
    kUnavailable,      // a peer could not be reached; worth retrying
    kConflict,         // two inputs claim the same thing
    kInternal,         // a bug: log and count
  };
  Code code = Code::kInvalidArgument;
  std::string field;
  std::string message;

  [[nodiscard]] std::string to_string() const {
    return field.empty() ? message : field + ": " + message;
  }
};

inline Error invalid(std::string field, std::string message) {
  return Error{Error::Code::kInvalidArgument, std::move(field), std::move(message)};
}

// `E` is Error everywhere but where a layer has a narrower vocabulary of its
// own (the controller's compile rejects with a typed Reason, not a Code).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  [[nodiscard]] const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const E& error() const { return error_; }

 private:
  E error_;
  bool ok_ = true;
};

}  // namespace archway
