// RouteTable::match: the per-request lookup. Cost: one hash probe per host
// label boundary, one per path segment, then condition checks on candidates
// only; regexes run only for routes that asked for them.

#include <algorithm>
#include <array>
#include <string>
#include <type_traits>

#include "proxy/routing/route_table_impl.h"
#include "proxy/routing/version_resolve.h"

namespace archway::routing {
namespace {

struct PrefixStep {
  uint32_t node;
  uint32_t length;  // bytes of the request path this node covers ("/a/b" → 4)
};

// A vector that keeps its first N elements on the stack: a lookup should not
// allocate for ordinary paths (route_bench: malloc/free were ~10 % of a
// lookup). The inline storage is left uninitialised (T is trivially
// copyable): zeroing it cost ~10 % of a lookup.
template <typename T, size_t N>
class SmallVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  SmallVector() {}  // NOLINT: leaves inline_ uninitialised on purpose
  SmallVector(const SmallVector&) = delete;
  SmallVector& operator=(const SmallVector&) = delete;

  void push_back(const T& value) {
    if (size_ < N) {
      inline_[size_] = value;
    } else {
      if (size_ == N) heap_.assign(inline_, inline_ + N);
      heap_.push_back(value);
    }
    ++size_;
  }
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] const T* data() const { return size_ <= N ? inline_ : heap_.data(); }
  T* data() { return size_ <= N ? inline_ : heap_.data(); }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }

 private:
  union {
    T inline_[N];  // elements [0, min(size_, N)) are set
  };
  std::vector<T> heap_;
  size_t size_ = 0;
};

// A request path segment and its FlatStringMap::key_hash, computed once for
// both tries.
struct Segment {
  std::string_view text;
  uint64_t hash;
};
using Segments = SmallVector<Segment, 32>;

// As config::split_path, without allocating for up to 32 segments.
void split(std::string_view path, Segments& out) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    const std::string_view text =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out.push_back({text, FlatStringMap::key_hash(text)});
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

// Offset just past `segment` within `path`; segments are views into it.
uint32_t end_offset(std::string_view path, std::string_view segment) {
  return static_cast<uint32_t>(segment.data() - path.data() + segment.size());
}

void collect_templates(const PathTrie& trie, uint32_t node, const Segments& segments, size_t i,
                       SmallVector<uint32_t, 16>& out) {
  const PathTrie::Node& n = trie.node(node);
  if (i == segments.size()) {
    for (uint32_t rank : trie.ranks(n.templates)) out.push_back(rank);
    return;
  }
  const Segment& s = segments[i];
  const uint32_t literal = trie.literal_child(node, s.text, s.hash);
  if (literal != PathTrie::kNone) collect_templates(trie, literal, segments, i + 1, out);
  // A capture never matches an empty segment ("/orders/" is not "/orders/{id}").
  if (n.wildcard != PathTrie::kNone && !s.text.empty()) {
    collect_templates(trie, n.wildcard, segments, i + 1, out);
  }
}

}  // namespace

std::optional<RouteMatch> VirtualHostTable::match(const RequestHead& request,
                                                  const std::vector<CompiledRoute>& routes,
                                                  bool multi_label) const {
  RequestView view(request);
  const std::string_view path = request.path;
  Segments segments;
  split(path, segments);
  // A versioned route's resolution, computed for its first candidate only
  // (a route's matches share one policies.versioning).
  const config::Versioning* resolved_for = nullptr;
  VersionResolution resolution;
  const auto version_of = [&](const config::Versioning* versioning) -> const VersionResolution& {
    if (resolved_for != versioning) {
      resolution = resolve_version(*versioning, view);
      resolved_for = versioning;
    }
    return resolution;
  };
  // Entries without conditions are decided by their 8-byte head alone.
  const auto holds = [&](uint32_t rank) {
    const EntryHead& head = heads[rank];
    if (multi_label && head.single_label) return false;
    if (!head.conditional) return true;
    const MatchEntry& e = entries[rank];
    if (!e.conditions.matches(view)) return false;
    if (e.versioning == nullptr) return true;
    const VersionResolution& v = version_of(e.versioning);
    // No usable version: the route's first candidate takes the request
    // and its versioning filter answers 400/406 (docs/versioning.md).
    if (!v.served()) return true;
    return !e.version || *e.version == v.version;
  };
  const auto found = [&](uint32_t rank) {
    RouteMatch m;
    m.route = &routes[heads[rank].route];
    m.matched_prefix = path.substr(0, 0);
    if (heads[rank].conditional && entries[rank].versioning != nullptr) {
      const config::Versioning* versioning = entries[rank].versioning;
      m.version = version_of(versioning);
    }
    return m;
  };

  // 1. Exact, walking literal children; the walk also records every node a
  //    PathPrefix could end at, for step 4.
  SmallVector<PrefixStep, 32> steps;
  steps.push_back({0, 0});
  uint32_t node = 0;
  size_t consumed = 0;
  for (; consumed < segments.size(); ++consumed) {
    const Segment& s = segments[consumed];
    node = literal.literal_child(node, s.text, s.hash);
    if (node == PathTrie::kNone) break;
    steps.push_back({node, end_offset(path, s.text)});
  }
  if (consumed == segments.size()) {
    for (uint32_t rank : literal.ranks(literal.node(node).exact)) {
      if (holds(rank)) return found(rank);
    }
  }

  // 2. Templates: every terminal node the segments reach, best rank first.
  if (!templates.empty()) {
    SmallVector<uint32_t, 16> candidates;
    collect_templates(templates, 0, segments, 0, candidates);
    if (candidates.size() > 1) std::sort(candidates.begin(), candidates.end());
    for (uint32_t rank : candidates) {
      if (!holds(rank)) continue;
      const MatchEntry& e = entries[rank];
      RouteMatch m = found(rank);
      m.captures.reserve(e.captures.size());
      for (const auto& [index, name] : e.captures) {
        m.captures.emplace_back(name, std::string(segments[index].text));
      }
      return m;
    }
  }

  // 3. Regular expressions, in rank order (snapshot order for different patterns).
  for (const RegexRef& ref : regexes) {
    // The literal prefix is a cheap, exact pre-filter: most regex routes
    // start with one ("/api/v[0-9]+/..."), and RE2::FullMatch costs ~100 ns.
    const std::string_view prefix(regex_prefixes.data() + ref.prefix_offset, ref.prefix_length);
    if (!path.starts_with(prefix)) continue;
    const uint32_t rank = ref.rank;
    const MatchEntry& e = entries[rank];
    const re2::StringPiece subject(path.data(), path.size());
    if (e.regex_groups == 0) {
      if (RE2::FullMatch(subject, *e.regex) && holds(rank)) return found(rank);
      continue;
    }
    // The groups the rewrite reads, as captures "1".."9" (a group that did
    // not take part is empty, as nginx's $N).
    std::array<re2::StringPiece, 9> groups;
    std::array<RE2::Arg, 9> args;
    std::array<const RE2::Arg*, 9> arg_ptrs;
    const int n = std::min(e.regex_groups, e.regex->NumberOfCapturingGroups());
    for (int i = 0; i < n; ++i) {
      args[i] = &groups[i];
      arg_ptrs[i] = &args[i];
    }
    if (RE2::FullMatchN(subject, *e.regex, arg_ptrs.data(), n) && holds(rank)) {
      RouteMatch m = found(rank);
      for (int i = 0; i < n; ++i) {
        m.captures.emplace_back(
            std::to_string(i + 1),
            groups[i].empty() ? std::string() : std::string(groups[i].data(), groups[i].size()));
      }
      return m;
    }
  }

  // 4. PathPrefix, deepest (longest) first.
  for (size_t i = steps.size(); i-- > 0;) {
    for (uint32_t rank : literal.ranks(literal.node(steps[i].node).prefix)) {
      if (!holds(rank)) continue;
      RouteMatch m = found(rank);
      m.matched_prefix = path.substr(0, steps[i].length);
      return m;
    }
  }
  return std::nullopt;
}

const VirtualHostTable* RouteTable::Impl::find_host(std::string_view host,
                                                    bool& multi_label) const {
  multi_label = false;
  if (const uint32_t v = exact_hosts.find(0, host); v != FlatStringMap::kNone) {
    return &virtual_hosts[v];
  }
  if (!wildcard_hosts.empty()) {
    // Longest suffix first: "a.b.example.com" tries "b.example.com", then
    // "example.com", then "com".
    for (size_t dot = host.find('.'); dot != std::string_view::npos;
         dot = host.find('.', dot + 1)) {
      if (const uint32_t v = wildcard_hosts.find(0, host.substr(dot + 1));
          v != FlatStringMap::kNone) {
        multi_label = dot != host.find('.');  // "*" covered more than one label
        return &virtual_hosts[v];
      }
    }
  }
  if (any_host != PathTrie::kNone) return &virtual_hosts[any_host];
  return nullptr;
}

RouteTable::RouteTable(std::shared_ptr<const config::Snapshot> snapshot)
    : snapshot_(std::move(snapshot)) {}

RouteTable::~RouteTable() = default;

size_t RouteTable::size() const { return impl_->entry_count; }

std::span<const CompiledRoute> RouteTable::routes() const { return impl_->routes; }

std::optional<RouteMatch> RouteTable::match(const RequestHead& request) const {
  bool multi_label = false;
  const VirtualHostTable* vh = impl_->find_host(request.host, multi_label);
  if (vh == nullptr) return std::nullopt;
  auto found = vh->match(request, impl_->routes, multi_label);
  // An Ingress wildcard rule that does not cover this host is no match for
  // it (Ingress: "*.foo.com" is not "a.b.foo.com"): such requests belong to
  // the any-host routes (an Ingress defaultBackend), as if no rule named them.
  if (!found && multi_label && vh->has_single_label && impl_->any_host != PathTrie::kNone &&
      &impl_->virtual_hosts[impl_->any_host] != vh) {
    return impl_->virtual_hosts[impl_->any_host].match(request, impl_->routes, false);
  }
  return found;
}

std::string normalize_host(std::string_view authority) {
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    // IPv6 literal: keep the brackets, drop ":port" after them.
    const size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace archway::routing
