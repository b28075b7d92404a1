// versioning: the APIRoute field's schema (crds/generate.py "versioning")
// with its CEL rules (unique names, a declared default, brownout start
// before end, sunset after deprecation, brownouts only on a deprecated
// version) and what versioning.h promises. Times are RFC 3339 in the
// resource and in the snapshot; the snapshot writes them back in UTC.

#include <algorithm>
#include <set>

#include "common/rfc3339.h"
#include "proxy/config/field_checks.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"

namespace archway::config {
namespace {

constexpr EnumName<VersionSourceType> kSourceTypes[] = {
    {VersionSourceType::kHeader, "Header"},
    {VersionSourceType::kAccept, "Accept"},
    {VersionSourceType::kQueryParam, "QueryParam"},
    {VersionSourceType::kPathSegment, "PathSegment"},
};

void get_time(Decoder& d, ObjectReader& r, std::string_view key,
              std::optional<std::chrono::sys_seconds>& out) {
  std::optional<std::string> text;
  r.get(key, text);
  if (!text || d.failed()) return;
  out = parse_rfc3339(*text);
  if (!out) d.fail(r.field(key), "must be an RFC 3339 date-time (2026-01-31T00:00:00Z)");
}

void decode_source(Decoder& d, const Json& json, const std::string& path, VersionSource& out) {
  ObjectReader r(d, json, path, {"type", "name", "mediaType", "parameter", "prefix", "strip"});
  if (r.ok() && r.child("type") == nullptr) d.fail(r.field("type"), "is required");
  get_enum_named(d, r, "type", out.type, kSourceTypes);
  if (d.failed()) return;
  // Each type reads its own fields; another type's field is an error rather
  // than ignored, as the CRD's CEL rules say.
  const auto only = [&](std::string_view key, bool allowed) {
    if (!allowed && r.child(key) != nullptr) d.fail(r.field(key), "is not allowed for this type");
  };
  using T = VersionSourceType;
  only("name", out.type == T::kHeader || out.type == T::kQueryParam);
  only("mediaType", out.type == T::kAccept);
  only("parameter", out.type == T::kAccept);
  only("prefix", out.type == T::kPathSegment);
  only("strip", out.type == T::kPathSegment);
  switch (out.type) {
    case T::kHeader:
      r.get("name", out.name, /*required=*/true);
      out.name = ascii_lower(out.name);
      break;
    case T::kQueryParam:
      r.get("name", out.name, /*required=*/true);
      break;
    case T::kAccept: {
      out.name = "version";
      r.get("parameter", out.name);
      out.name = ascii_lower(out.name);
      r.get("mediaType", out.media_type);
      out.media_type = ascii_lower(out.media_type);
      break;
    }
    case T::kPathSegment:
      r.get("prefix", out.prefix);
      r.get("strip", out.strip);
      break;
  }
}

void decode_version(Decoder& d, const Json& json, const std::string& path, ApiVersion& out) {
  ObjectReader r(d, json, path, {"name", "deprecation", "sunset", "link", "brownouts"});
  r.get("name", out.name, /*required=*/true);
  get_time(d, r, "deprecation", out.deprecation);
  get_time(d, r, "sunset", out.sunset);
  r.get("link", out.link);
  r.each("brownouts", [&](const Json& element, const std::string& p) {
    ObjectReader b(d, element, p, {"start", "end"});
    std::optional<std::chrono::sys_seconds> start;
    std::optional<std::chrono::sys_seconds> end;
    get_time(d, b, "start", start);
    get_time(d, b, "end", end);
    if (b.ok() && !start) d.fail(b.field("start"), "is required");
    if (b.ok() && !end) d.fail(b.field("end"), "is required");
    if (start && end) out.brownouts.push_back({*start, *end});
  });
}

bool is_version_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Result<void> check_version_name(std::string_view name, const std::string& path) {
  if (name.empty() || name.size() > 32 || !std::all_of(name.begin(), name.end(), is_version_char)) {
    return invalid(path, "must be 1 to 32 letters, digits, '.', '_' or '-'");
  }
  return {};
}

Result<void> validate_source(const VersionSource& s, const std::string& path) {
  switch (s.type) {
    case VersionSourceType::kHeader:
      return check_lower_header_name(s.name, path + ".name");
    case VersionSourceType::kQueryParam:
      return check_text(s.name, path + ".name", 64);
    case VersionSourceType::kAccept:
      if (auto r = check_lower_header_name(s.name, path + ".parameter"); !r.ok()) return r;
      if (!s.media_type.empty()) {
        const size_t slash = s.media_type.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == s.media_type.size() ||
            check_header_name(s.media_type.substr(0, slash)) ||
            check_header_name(s.media_type.substr(slash + 1))) {
          return invalid(path + ".mediaType", "must be a media type: type/subtype");
        }
      }
      return {};
    case VersionSourceType::kPathSegment:
      if (s.prefix.size() > 16 || !std::all_of(s.prefix.begin(), s.prefix.end(), is_version_char)) {
        return invalid(path + ".prefix", "must be at most 16 letters, digits, '.', '_' or '-'");
      }
      return {};
  }
  return {};
}

Result<void> validate_version(const ApiVersion& v, const std::string& path) {
  if (auto r = check_version_name(v.name, path + ".name"); !r.ok()) return r;
  if (v.deprecation && v.sunset && *v.sunset <= *v.deprecation) {
    return invalid(path + ".sunset", "must be after deprecation");
  }
  if (v.link) {
    if (auto r = check_url(*v.link, path + ".link"); !r.ok()) return r;
    // The link is written between '<' and '>' of a Link field (RFC 8288).
    if (v.link->find_first_of("<>\"") != std::string::npos) {
      return invalid(path + ".link", "must not contain '<', '>' or '\"'");
    }
  }
  const std::string brownouts = path + ".brownouts";
  if (auto r = check_count(v.brownouts.size(), brownouts, 0, 16); !r.ok()) return r;
  if (!v.brownouts.empty() && !v.deprecation) {
    return invalid(brownouts, "needs deprecation: only a deprecated version browns out");
  }
  for (size_t i = 0; i < v.brownouts.size(); ++i) {
    if (v.brownouts[i].end <= v.brownouts[i].start) {
      return invalid(index_field(brownouts, i) + ".end", "must be after start");
    }
  }
  return {};
}

Json time_json(std::chrono::sys_seconds when) { return format_rfc3339(when); }

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, Versioning& out) {
  ObjectReader r(d, json, path, {"sources", "versions", "default"});
  if (r.ok() && r.child("sources") == nullptr) d.fail(r.field("sources"), "is required");
  if (r.ok() && r.child("versions") == nullptr) d.fail(r.field("versions"), "is required");
  r.each("sources", [&](const Json& element, const std::string& p) {
    decode_source(d, element, p, out.sources.emplace_back());
  });
  r.each("versions", [&](const Json& element, const std::string& p) {
    decode_version(d, element, p, out.versions.emplace_back());
  });
  r.get("default", out.default_version);
}

Result<void> validate(const Versioning& v, const std::string& path) {
  const std::string sources = path + ".sources";
  if (auto r = check_count(v.sources.size(), sources, 1, 4); !r.ok()) return r;
  std::set<VersionSourceType> types;
  for (size_t i = 0; i < v.sources.size(); ++i) {
    if (!types.insert(v.sources[i].type).second) {
      return invalid(index_field(sources, i) + ".type", "each source type may appear once");
    }
    if (auto r = validate_source(v.sources[i], index_field(sources, i)); !r.ok()) return r;
  }
  const std::string versions = path + ".versions";
  if (auto r = check_count(v.versions.size(), versions, 1, 32); !r.ok()) return r;
  std::vector<std::string> names;
  for (size_t i = 0; i < v.versions.size(); ++i) {
    if (auto r = validate_version(v.versions[i], index_field(versions, i)); !r.ok()) return r;
    names.push_back(v.versions[i].name);
  }
  if (auto r = check_distinct(names, versions); !r.ok()) return r;
  if (v.default_version && v.find(*v.default_version) == nullptr) {
    return invalid(path + ".default", "must name one of versions");
  }
  return {};
}

Json to_json(const Versioning& v) {
  Json sources = Json::array();
  for (const VersionSource& s : v.sources) {
    Json source = {{"type", std::string(enum_name(kSourceTypes, s.type))}};
    switch (s.type) {
      case VersionSourceType::kHeader:
      case VersionSourceType::kQueryParam:
        source["name"] = s.name;
        break;
      case VersionSourceType::kAccept:
        source["parameter"] = s.name;
        if (!s.media_type.empty()) source["mediaType"] = s.media_type;
        break;
      case VersionSourceType::kPathSegment:
        source["prefix"] = s.prefix;
        source["strip"] = s.strip;
        break;
    }
    sources.push_back(std::move(source));
  }
  Json versions = Json::array();
  for (const ApiVersion& version : v.versions) {
    Json out = {{"name", version.name}};
    if (version.deprecation) out["deprecation"] = time_json(*version.deprecation);
    if (version.sunset) out["sunset"] = time_json(*version.sunset);
    if (version.link) out["link"] = *version.link;
    if (!version.brownouts.empty()) {
      Json brownouts = Json::array();
      for (const Brownout& b : version.brownouts) {
        brownouts.push_back({{"start", time_json(b.start)}, {"end", time_json(b.end)}});
      }
      out["brownouts"] = std::move(brownouts);
    }
    versions.push_back(std::move(out));
  }
  Json out = {{"sources", std::move(sources)}, {"versions", std::move(versions)}};
  if (v.default_version) out["default"] = *v.default_version;
  return out;
}

}  // namespace archway::config
