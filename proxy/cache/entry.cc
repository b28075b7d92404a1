#include "proxy/cache/entry.h"

#include <algorithm>

#include "proxy/cache/http_date.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::cache {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

// Per field and per entry: the Header and vector slots, the LRU node, the
// index's key and bucket. A rough figure; what matters is that many small
// entries cannot escape the budget.
constexpr size_t kFieldOverhead = sizeof(http::Header) + 16;
constexpr size_t kEntryOverhead = sizeof(Entry) + 128;

size_t field_bytes(const http::Headers& headers) {
  size_t n = 0;
  for (const auto& h : headers) n += h.name.size() + h.value.size() + kFieldOverhead;
  return n;
}

seconds delta_seconds_or_zero(std::string_view value) {
  if (value.empty()) return seconds{0};
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return seconds{0};
    if (n < (int64_t{1} << 31)) n = n * 10 + (c - '0');
  }
  return seconds{std::min(n, int64_t{1} << 31)};
}

// §4.2.3: corrected_initial_age, to the millisecond.
milliseconds initial_age(const Entry& e) {
  const milliseconds apparent = std::max(milliseconds{0}, milliseconds{e.date_value_offset});
  const milliseconds response_delay =
      std::chrono::duration_cast<milliseconds>(e.response_time - e.request_time);
  const milliseconds corrected_age_value = milliseconds{e.age_value} + response_delay;
  return std::max(apparent, corrected_age_value);
}

milliseconds age(const Entry& e, system_clock::time_point now) {
  const milliseconds resident = std::chrono::duration_cast<milliseconds>(now - e.response_time);
  return initial_age(e) + std::max(milliseconds{0}, resident);
}

}  // namespace

size_t Entry::bytes() const {
  size_t n = kEntryOverhead + key.size() + host.size() + path.size() + body.size() + etag.size() +
             last_modified.size() + field_bytes(headers);
  for (const auto& [name, value] : vary) n += name.size() + value.size() + kFieldOverhead;
  n += refresh.cluster.size() + refresh.target.size() + refresh.authority.size() +
       field_bytes(refresh.headers);
  return n;
}

std::shared_ptr<Entry> make_entry(FillContext context, const http::Response& head, std::string body,
                                  const Storability& storability) {
  auto entry = std::make_shared<Entry>();
  entry->key = std::move(context.key);
  entry->route_fingerprint = context.route_fingerprint;
  entry->host = std::move(context.host);
  entry->path = std::move(context.path);
  entry->vary = std::move(context.vary);
  entry->refresh = std::move(context.refresh);
  entry->request_time = context.request_time;
  entry->response_time = context.response_time;
  entry->status = head.status;
  entry->body = std::move(body);

  const ResponseDirectives cc = parse_response_directives(head.headers);
  auto dropped = [&](std::string_view name) {
    return std::find(cc.no_cache_fields.begin(), cc.no_cache_fields.end(), name) !=
               cc.no_cache_fields.end() ||
           std::find(cc.private_fields.begin(), cc.private_fields.end(), name) !=
               cc.private_fields.end();
  };
  bool age_seen = false;
  for (const auto& h : head.headers) {
    if (h.name == "age") {
      if (!age_seen) entry->age_value = delta_seconds_or_zero(h.value);
      age_seen = true;
      continue;
    }
    if (http::is_hop_by_hop(h.name) || dropped(h.name)) continue;
    if (h.name == "date" && entry->date_value_offset == seconds{0}) {
      if (auto date = parse_http_date(h.value)) {
        entry->date_value_offset = std::chrono::floor<seconds>(context.response_time) - *date;
      }
    } else if (h.name == "etag" && entry->etag.empty()) {
      entry->etag = h.value;
    } else if (h.name == "last-modified" && entry->last_modified.empty()) {
      entry->last_modified = h.value;
    }
    entry->headers.add(h.name, h.value);
  }
  entry->lifetime = storability.lifetime;
  entry->stale_while_revalidate = storability.stale_while_revalidate;
  entry->stale_if_error = storability.stale_if_error;
  entry->no_stale = storability.no_stale;
  return entry;
}

seconds current_age(const Entry& entry, system_clock::time_point now) {
  return std::chrono::floor<seconds>(age(entry, now));
}

milliseconds remaining(const Entry& entry, system_clock::time_point now) {
  return entry.lifetime - age(entry, now);
}

bool fresh(const Entry& entry, system_clock::time_point now, const RequestDirectives& request) {
  const milliseconds left = remaining(entry, now);
  if (left <= milliseconds{0}) return false;
  if (request.max_age && age(entry, now) > milliseconds{*request.max_age}) return false;
  if (request.min_fresh && left < milliseconds{*request.min_fresh}) return false;
  return true;
}

bool within_swr(const Entry& entry, system_clock::time_point now) {
  const milliseconds left = remaining(entry, now);
  return !entry.no_stale && left <= milliseconds{0} &&
         -left <= milliseconds{entry.stale_while_revalidate} &&
         entry.stale_while_revalidate > seconds{0};
}

bool within_sie(const Entry& entry, system_clock::time_point now) {
  const milliseconds left = remaining(entry, now);
  return !entry.no_stale && left <= milliseconds{0} &&
         -left <= milliseconds{entry.stale_if_error} && entry.stale_if_error > seconds{0};
}

StaleUse stale_use(const Entry& entry, system_clock::time_point now,
                   const RequestDirectives& request) {
  if (entry.no_stale || request.no_cache) return StaleUse::kNo;
  const milliseconds left = remaining(entry, now);
  if (left > milliseconds{0}) return StaleUse::kNo;  // fresh: not a stale use
  if (request.max_age && age(entry, now) > milliseconds{*request.max_age}) return StaleUse::kNo;
  if (request.max_stale_any) return StaleUse::kMaxStale;
  if (request.max_stale && -left <= milliseconds{*request.max_stale}) return StaleUse::kMaxStale;
  if (within_swr(entry, now)) return StaleUse::kWhileRevalidate;
  return StaleUse::kNo;
}

}  // namespace archway::cache
