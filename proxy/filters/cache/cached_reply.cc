#include "proxy/filters/cache/cached_reply.h"

#include "proxy/cache/conditional.h"

namespace archway::filters::cache_filter {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// The fields a 304 repeats from the stored response (RFC 9110 §15.4.5).
constexpr std::string_view kNotModifiedFields[] = {
    "etag", "last-modified", "cache-control", "expires", "vary", "date", "content-location"};

bool repeated_in_304(std::string_view name) {
  for (std::string_view f : kNotModifiedFields) {
    if (f == name) return true;
  }
  return false;
}

std::string hit_status(const cache::Entry& entry, Served served,
                       std::chrono::system_clock::time_point now) {
  // ttl: whole seconds of freshness left; negative once stale (RFC 9211 §2.4).
  const auto left = duration_cast<seconds>(cache::remaining(entry, now)).count();
  std::string out = "archway; hit; ttl=" + std::to_string(left);
  switch (served) {
    case Served::kCollapsed:
      out += "; collapsed";
      break;
    case Served::kWhileRevalidate:
      out += "; detail=stale-while-revalidate";
      break;
    case Served::kIfError:
      out += "; detail=stale-if-error";
      break;
    case Served::kStale:
      out += "; detail=max-stale";
      break;
    case Served::kHit:
      break;
  }
  return out;
}

}  // namespace

LocalReply reply_from_entry(const cache::Entry& entry, const http::Request& request, Served served,
                            std::chrono::system_clock::time_point now) {
  LocalReply reply;
  const bool stale = served != Served::kHit && served != Served::kCollapsed;
  const bool not_modified = cache::not_modified(entry, request.headers);
  reply.status = not_modified ? 304 : entry.status;
  reply.headers.reserve(entry.headers.size() + 3);
  for (const auto& h : entry.headers) {
    if (not_modified && !repeated_in_304(h.name)) continue;
    if (h.name == "x-cache") continue;  // a cache behind the backend's; ours says it now
    reply.headers.add(h.name, h.value);
  }
  reply.headers.add("age", std::to_string(cache::current_age(entry, now).count()));
  reply.headers.add("x-cache", stale ? "STALE" : "HIT");
  reply.headers.add("cache-status", hit_status(entry, served, now));
  // A HEAD's Content-Length still says the body's size (the exchange sends
  // no body to a HEAD).
  if (!not_modified) reply.body = entry.body;
  return reply;
}

std::string forwarded_status(std::string_view fwd, int backend_status, bool stored,
                             bool collapsed) {
  std::string out = "archway; fwd=";
  out.append(fwd);
  if (backend_status > 0) out += "; fwd-status=" + std::to_string(backend_status);
  if (stored) out += "; stored";
  if (collapsed) out += "; collapsed";
  return out;
}

}  // namespace archway::filters::cache_filter
