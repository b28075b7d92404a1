#include "proxy/routing/version_resolve.h"

#include <algorithm>
#include <vector>

#include "proxy/routing/accept_version.h"

namespace archway::routing {
namespace {

using config::VersionSourceType;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct Candidate {
  std::string version;
  uint32_t path_segment_length = 0;
  bool found = false;
};

Candidate from_path(const config::Versioning& versioning, const config::VersionSource& source,
                    std::string_view path) {
  if (path.size() < 2 || path.front() != '/') return {};
  const size_t end = std::min(path.find('/', 1), path.size());
  const std::string_view segment = path.substr(1, end - 1);
  if (!segment.starts_with(source.prefix) || segment.size() == source.prefix.size()) return {};
  const std::string_view name = segment.substr(source.prefix.size());
  const bool digit = name.front() >= '0' && name.front() <= '9';
  if (versioning.find(name) == nullptr && !digit) return {};
  return {std::string(name), static_cast<uint32_t>(end), true};
}

Candidate from_source(const config::Versioning& versioning, const config::VersionSource& source,
                      RequestView& request) {
  const RequestHead& head = request.head();
  switch (source.type) {
    case VersionSourceType::kHeader:
      for (const HeaderField& f : head.headers) {
        if (f.name != source.name) continue;
        const std::string_view value = trim(f.value);
        if (value.empty()) return {};
        return {std::string(value), 0, true};
      }
      return {};
    case VersionSourceType::kAccept: {
      // Few requests repeat Accept: a small vector, built only here.
      std::vector<std::string_view> fields;
      for (const HeaderField& f : head.headers) {
        if (f.name == "accept") fields.push_back(f.value);
      }
      auto version = accept_version(fields, source.media_type, source.name);
      if (!version) return {};
      return {std::move(*version), 0, true};
    }
    case VersionSourceType::kQueryParam:
      for (const auto& [name, value] : request.query()) {
        if (name != source.name) continue;
        if (value.empty()) return {};
        return {value, 0, true};
      }
      return {};
    case VersionSourceType::kPathSegment:
      return from_path(versioning, source, head.path);
  }
  return {};
}

}  // namespace

VersionResolution resolve_version(const config::Versioning& versioning, RequestView& request) {
  VersionResolution out;
  for (const config::VersionSource& source : versioning.sources) {
    Candidate candidate = from_source(versioning, source, request);
    if (!candidate.found) continue;
    out.source = source.type;
    out.version = std::move(candidate.version);
    if (versioning.find(out.version) == nullptr) {
      out.outcome = VersionResolution::Outcome::kUnknown;
      return out;
    }
    out.outcome = VersionResolution::Outcome::kResolved;
    out.path_segment_length = candidate.path_segment_length;
    return out;
  }
  if (versioning.default_version) {
    out.outcome = VersionResolution::Outcome::kDefault;
    out.version = *versioning.default_version;
  }
  return out;
}

}  // namespace archway::routing
