#pragma once
// The pure compile (DESIGN.md §1): ClusterState → proxy snapshot + a verdict
// per object. No I/O, no clock, no randomness: the same input gives a
// byte-identical snapshot (sorted output), so it is unit-tested on plain
// fixtures (tests/controller/, golden files in tests/testdata/controller/).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "controller/compile/policy_enforced.h"
#include "controller/compile/proxy_check.h"
#include "controller/compile/reason.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

struct CompileOptions {
  std::string controller_name = "archway.dev/ingress-controller";
  std::string ingress_class = "archway";  // our IngressClass name
  bool watch_ingresses_without_class = false;
  // Import ingress-nginx annotations on every Ingress of ours
  // (--nginx-annotations; docs/migration.md). Off: only an IngressClass
  // annotated archway.dev/nginx-annotations: "true" turns it on, for its
  // Ingresses.
  bool nginx_annotations = false;
  uint16_t http_port = 8080;
  uint16_t https_port = 8443;
  std::string version;  // snapshot version to stamp
  // Development and tests only: EndpointSlice address → address the proxy
  // dials. The API server refuses loopback endpoint addresses, so a
  // cluster without kubelet (e2e, `make run`) registers backends under a
  // documentation address and maps it to 127.0.0.1 here. Empty in production.
  std::map<std::string, std::string> endpoint_address_map;
  // The proxy's validator (proxy_check.h) when empty; tests inject one to
  // pin how a refusal is attributed to an object.
  SnapshotCheck check_snapshot;
  // Which policies and auth methods the proxy enforces: the proxy's own list
  // (config::enforced_by_this_proxy) when empty; tests inject one so that
  // they do not depend on the proxy version they are built against.
  PolicyEnforced policy_enforced;
};

// The last generation of each object that a proxy ACKed (DESIGN.md §1, last
// known good): the object as the API server sent it, with that generation's
// spec and metadata.generation. The caller keeps them (controller/app/
// last_good.h) across pushes, restarts and leader changes; compile only
// reads them.
struct LastGoodObjects {
  ObjectMap api_routes;
  ObjectMap ingresses;
};

// What compile decided about one object.
struct ObjectVerdict {
  std::string kind;  // APIRoute | Ingress
  ObjectKey key;
  std::string uid;
  int64_t generation = 0;
  // Status spells the reasons with reason_name() (reason.h).
  bool accepted = true;                        // left out of the snapshot when false
  Reason accepted_reason = Reason::kAccepted;  // e.g. kInvalidRegex, kConflicted
  std::string accepted_message;
  bool resolved_refs = true;
  Reason resolved_reason = Reason::kResolvedRefs;  // e.g. kBackendNotFound, kSecretNotFound
  std::string resolved_message;
  bool stale_generation_serving = false;  // an older generation is still in the snapshot
  // The generation whose output is in the snapshot: `generation`, an older
  // one when stale_generation_serving, 0 when the object is left out.
  int64_t served_generation = 0;
  // Rules of the object that can never match, one message each naming the
  // rule that shadows it (shadowed_rules.h): a warning, the rest serves.
  std::vector<std::string> shadowed_rules;
  // Warning Events for an object that serves (reason, message), e.g.
  // ingress-nginx annotations that are not honoured (docs/migration.md).
  std::vector<std::pair<Reason, std::string>> warnings;
};

struct CompileResult {
  config::Snapshot snapshot;
  std::vector<ObjectVerdict> verdicts;  // sorted by (kind, key)
};

struct TranslatedObject;

// What one compile leaves for the next (docs/scale.md): each APIRoute's and
// Ingress's translation, reused while the object, its last good generation
// and every object translation reads (Services, Secrets, ReferenceGrants,
// IngressClasses) are the same shared Objects. EndpointSlices are not among
// them (endpoints are filled after assembly), so slice churn and a change
// to one route translate nothing else. The output is the same as without
// the cache (tests/controller/compile_cache_reuse_test.cc); one cache
// serves one CompileOptions.
class TranslationCache {
 public:
  TranslationCache();
  ~TranslationCache();
  TranslationCache(TranslationCache&&) noexcept;
  TranslationCache& operator=(TranslationCache&&) noexcept;
  // Objects translated by the last compile (the rest were reused).
  [[nodiscard]] size_t translated_last_time() const { return translated_; }

  struct Entry;

 private:
  friend CompileResult compile(const ClusterState&, const CompileOptions&, const LastGoodObjects&,
                               TranslationCache*);
  std::map<std::pair<std::string, ObjectKey>, Entry> entries_;  // by (kind, key)
  ClusterState dependencies_;  // translation_inputs() of the last compile
  size_t translated_ = 0;
};

// `last_good`: for an APIRoute or Ingress whose current generation is
// invalid (or refused by the proxy's validator), the last good generation of
// the same object (same uid) keeps serving (stale_generation_serving).
// `cache` (may be null): reuse what the previous compile translated.
[[nodiscard]] CompileResult compile(const ClusterState& state, const CompileOptions& options,
                                    const LastGoodObjects& last_good,
                                    TranslationCache* cache = nullptr);

}  // namespace archway::controller::compile
