#pragma once
// The `versioning` policy as the snapshot carries it (docs/versioning.md,
// docs/snapshot.md "versioning"). An APIRoute declares it once, at route
// level; the controller copies it onto every rule's route, so each snapshot
// route is self-contained. Plain values; config/policies/versioning.cc
// (codec.h) fills and checks them, so the matcher and the filter may assume
// what the comments below promise.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archway::config {

enum class VersionSourceType { kHeader, kAccept, kQueryParam, kPathSegment };

// Where a request's version is read from. Sources are tried in the order
// declared; the first that carries a version decides.
struct VersionSource {
  VersionSourceType type = VersionSourceType::kHeader;
  // Header: the header name, lower case. QueryParam: the parameter name, as
  // written (case-sensitive). Accept: the media-type parameter, lower case
  // (parameter names are case-insensitive, RFC 9110 §5.6.6).
  std::string name;
  // Accept only: the media type ("application/vnd.example+json", lower
  // case) whose parameter counts; empty: any media range.
  std::string media_type;
  // PathSegment only: the first path segment is "<prefix><version>".
  std::string prefix = "v";
  // PathSegment only: remove that segment before forwarding.
  bool strip = false;

  bool operator==(const VersionSource&) const = default;
};

struct Brownout {
  std::chrono::sys_seconds start;  // inclusive
  std::chrono::sys_seconds end;    // exclusive; after start

  bool operator==(const Brownout&) const = default;
};

struct ApiVersion {
  std::string name;  // unique in the route; [A-Za-z0-9._-]{1,32}
  std::optional<std::chrono::sys_seconds> deprecation;
  std::optional<std::chrono::sys_seconds> sunset;  // after deprecation, when both are set
  std::optional<std::string> link;                 // an http(s) URI, no '<', '>' or '"'
  std::vector<Brownout> brownouts;                 // only on a deprecated version

  bool operator==(const ApiVersion&) const = default;
};

struct Versioning {
  std::vector<VersionSource> sources;          // 1..4, at most one of each type
  std::vector<ApiVersion> versions;            // 1..32
  std::optional<std::string> default_version;  // names a version; absent: no version → 400

  bool operator==(const Versioning&) const = default;

  // The declared version of that name, or nullptr.
  [[nodiscard]] const ApiVersion* find(std::string_view name) const {
    for (const ApiVersion& v : versions) {
      if (v.name == name) return &v;
    }
    return nullptr;
  }
};

}  // namespace archway::config
