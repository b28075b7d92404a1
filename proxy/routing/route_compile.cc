// RouteTable::compile: snapshot → host index + per-host tries. Runs off the
// hot path, once per snapshot (STYLE.md habit 1); the result is immutable.

#include <algorithm>
#include <map>
#include <tuple>

#include "proxy/config/path_template.h"
#include "proxy/config/snapshot_parser.h"
#include "proxy/routing/route_table_impl.h"

namespace archway::routing {
namespace {

using config::PathMatchType;

// Precedence key (route_table.h, docs/routing.md); lower sorts first.
using RankKey = std::tuple<int, int64_t, int64_t, int64_t, int, uint32_t, uint32_t>;

struct Pending {
  RankKey key;
  MatchEntry entry;
  const config::Match* match = nullptr;
};

int category(PathMatchType type) {
  switch (type) {
    case PathMatchType::kExact:
      return 0;
    case PathMatchType::kTemplate:
      return 1;
    case PathMatchType::kRegularExpression:
      return 2;
    case PathMatchType::kPathPrefix:
      return 3;
  }
  return 3;
}

// The literal text every match of `pattern` starts with (RE2 syntax), or ""
// when unsure. Conservative: stops at the first metacharacter, gives up on
// any '|' (alternation could bypass the prefix), and drops the last literal
// when a quantifier follows it ("/ab?c" → "/a").
std::string literal_prefix(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return "";
  static constexpr std::string_view kMeta = "\\^$.|?*+()[]{}";
  const size_t end = std::min(pattern.find_first_of(kMeta), pattern.size());
  std::string out(pattern.substr(0, end));
  if (end < pattern.size() && !out.empty()) {
    const char next = pattern[end];
    if (next == '?' || next == '*' || next == '+' || next == '{') out.pop_back();
  }
  return out;
}

// The highest regex group number ({1}..{9}) a rewrite's fullPath reads.
int referenced_groups(const config::Rewrite& rewrite) {
  if (!rewrite.full_path) return 0;
  auto names = config::template_references(*rewrite.full_path);
  int most = 0;
  if (!names.ok()) return 0;
  for (const std::string& name : *names) {
    if (config::is_group_number(name)) most = std::max(most, name[0] - '0');
  }
  return most;
}

// "/foo/" and "/foo" are the same prefix (Gateway API: a trailing '/' is ignored).
std::string_view prefix_without_slash(std::string_view value) {
  while (value.size() > 1 && value.back() == '/') value.remove_suffix(1);
  return value == "/" ? std::string_view() : value;
}

Result<void> build_virtual_host(const config::VirtualHost& vh, const std::string& path,
                                uint32_t first_route, VirtualHostTable& out) {
  static const config::Match kDefaultMatch{};  // no matches: PathPrefix "/" (Gateway API)
  std::vector<Pending> pending;
  std::map<std::string, int64_t> regex_order;  // identical patterns tie on later keys
  for (size_t r = 0; r < vh.routes.size(); ++r) {
    const config::Route& route = vh.routes[r];
    const size_t count = std::max<size_t>(route.matches.size(), 1);
    for (size_t m = 0; m < count; ++m) {
      const config::Match& match = route.matches.empty() ? kDefaultMatch : route.matches[m];
      // The match's field name, built only for an error (validate_snapshot
      // has already run, so compile errors are not expected).
      const auto field = [&] {
        return path + ".routes[" + std::to_string(r) + "].matches[" + std::to_string(m) + "]";
      };
      Pending p;
      p.match = &match;
      p.entry.route = first_route + static_cast<uint32_t>(r);
      p.entry.type = match.path.type;
      auto conditions = compile_conditions(match);
      if (!conditions.ok()) {
        return invalid(field() + "." + conditions.error().field, conditions.error().message);
      }
      p.entry.conditions = std::move(*conditions);
      if (route.policies.versioning) {
        p.entry.versioning = &*route.policies.versioning;
        p.entry.version = match.version;
      }
      int64_t specific = 0;
      switch (match.path.type) {
        case PathMatchType::kExact:
          break;
        case PathMatchType::kTemplate: {
          auto segments = config::parse_path_template(match.path.value);
          if (!segments.ok()) {
            return invalid(field() + ".path.value",
                           "invalid template: " + segments.error().message);
          }
          for (uint32_t i = 0; i < segments->size(); ++i) {
            if ((*segments)[i].capture) {
              p.entry.captures.emplace_back(i, (*segments)[i].text);
            } else {
              --specific;  // more literal segments first
            }
          }
          break;
        }
        case PathMatchType::kRegularExpression: {
          auto re = compile_regex(match.path.value, "path.value");
          if (!re.ok()) return invalid(field() + "." + re.error().field, re.error().message);
          p.entry.regex = std::move(*re);
          p.entry.regex_groups = referenced_groups(route.rewrite);
          specific = regex_order.emplace(match.path.value, regex_order.size()).first->second;
          break;
        }
        case PathMatchType::kPathPrefix:
          specific = -static_cast<int64_t>(prefix_without_slash(match.path.value).size());
          break;
      }
      p.key = RankKey{category(match.path.type),
                      specific,
                      -static_cast<int64_t>(match.headers.size()),
                      -static_cast<int64_t>(match.query_params.size()),
                      match.methods.empty() ? 1 : 0,
                      static_cast<uint32_t>(r),
                      static_cast<uint32_t>(m)};
      pending.push_back(std::move(p));
    }
  }
  std::sort(pending.begin(), pending.end(),
            [](const Pending& a, const Pending& b) { return a.key < b.key; });

  // Inserted in rank order, so every node's lists come out sorted.
  out.entries.reserve(pending.size());
  out.heads.reserve(pending.size());
  for (Pending& p : pending) {
    const auto rank = static_cast<uint32_t>(out.entries.size());
    const std::string& value = p.match->path.value;
    switch (p.entry.type) {
      case PathMatchType::kExact:
        out.literal.add(out.literal.insert(config::split_path(value), {}), PathTrie::Kind::kExact,
                        rank);
        break;
      case PathMatchType::kPathPrefix: {
        const std::string_view prefix = prefix_without_slash(value);
        std::vector<std::string_view> segments;
        if (!prefix.empty()) segments = config::split_path(prefix);
        out.literal.add(out.literal.insert(segments, {}), PathTrie::Kind::kPrefix, rank);
        break;
      }
      case PathMatchType::kTemplate: {
        const std::vector<std::string_view> segments = config::split_path(value);
        std::vector<bool> wildcards(segments.size(), false);
        for (const auto& capture : p.entry.captures) wildcards[capture.first] = true;
        out.templates.add(out.templates.insert(segments, wildcards), PathTrie::Kind::kTemplate,
                          rank);
        break;
      }
      case PathMatchType::kRegularExpression: {
        const std::string prefix = literal_prefix(value);
        out.regexes.push_back({rank, static_cast<uint32_t>(out.regex_prefixes.size()),
                               static_cast<uint32_t>(prefix.size())});
        out.regex_prefixes += prefix;
        break;
      }
    }
    const bool single_label = vh.routes[p.entry.route - first_route].single_label_wildcard;
    out.has_single_label = out.has_single_label || single_label;
    const bool conditional = !p.entry.conditions.empty() || p.entry.versioning != nullptr;
    out.heads.push_back({p.entry.route, conditional, single_label});
    out.entries.push_back(std::move(p.entry));
  }
  out.literal.finish();
  out.templates.finish();
  return {};
}

// Domains are already validated (lowercase, unique across hosts).
void index_domains(const config::VirtualHost& vh, uint32_t index, RouteTable::Impl& impl) {
  for (const std::string& domain : vh.domains) {
    if (domain == "*") {
      impl.any_host = index;
    } else if (domain.starts_with("*.")) {
      impl.wildcard_hosts.insert(0, std::string_view(domain).substr(2), index);
    } else {
      impl.exact_hosts.insert(0, domain, index);
    }
  }
}

}  // namespace

Result<std::shared_ptr<const RouteTable>> RouteTable::compile(
    const config::ValidatedSnapshot& input) {
  // The table holds the snapshot, for snapshot() (GET /config) and because
  // every CompiledRoute refers into it: build from the table's pointer only.
  std::shared_ptr<RouteTable> table(new RouteTable(input.shared()));
  const config::Snapshot& snapshot = *table->snapshot_;
  auto impl = std::make_unique<Impl>();
  size_t route_count = 0;
  for (const auto& vh : snapshot.virtual_hosts) route_count += vh.routes.size();
  impl->routes.reserve(route_count);
  impl->virtual_hosts.resize(snapshot.virtual_hosts.size());
  for (size_t v = 0; v < snapshot.virtual_hosts.size(); ++v) {
    const config::VirtualHost& vh = snapshot.virtual_hosts[v];
    const auto first_route = static_cast<uint32_t>(impl->routes.size());
    for (const config::Route& route : vh.routes) {
      impl->routes.push_back(
          CompiledRoute{.route = route, .virtual_host_index = v, .index = impl->routes.size()});
      CompiledRoute& compiled = impl->routes.back();
      compiled.cumulative_weights.reserve(route.backends.size());
      for (const config::WeightedBackend& b : route.backends) {
        compiled.total_weight += b.weight;
        compiled.cumulative_weights.push_back(compiled.total_weight);
      }
    }
    auto built = build_virtual_host(vh, "virtualHosts[" + std::to_string(v) + "]", first_route,
                                    impl->virtual_hosts[v]);
    if (!built.ok()) return built.error();
    impl->entry_count += impl->virtual_hosts[v].entries.size();
    index_domains(vh, static_cast<uint32_t>(v), *impl);
  }
  table->impl_ = std::move(impl);
  return std::shared_ptr<const RouteTable>(std::move(table));
}

}  // namespace archway::routing
