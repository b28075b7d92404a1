#pragma once
// The compile's verdict vocabulary (DESIGN.md §2): every reason the pure
// compile can put on an Accepted or ResolvedRefs condition, or on the Warning
// Event that goes with it. Typed, so a misspelt reason fails to build instead
// of reaching a user; reason_name() is the one place that spells each one as
// the CamelCase string users read (and scripts match on). Reasons that only
// status decides (Programmed, Pending, Rejected, StaleGeneration, NotAccepted,
// Ready) belong to controller/status/route_conditions.h, not here.

#include <cstddef>
#include <string_view>

namespace archway::controller::compile {

enum class Reason {
  // Accepted=True / ResolvedRefs=True.
  kAccepted,
  kResolvedRefs,
  // Accepted=False: the object is left out of the snapshot.
  kInvalidValue,       // a value the schema cannot rule out (two actions, a bad duration...)
  kUnsupportedValue,   // an enum value Archway does not implement (also an ExternalName Service)
  kInvalidRegex,       // a regular expression RE2 does not compile
  kInvalidTemplate,    // a Template path or rewrite.fullPath capture
  kPolicyNotEnforced,  // a policy the proxy cannot enforce yet and must not skip (auth)
  kConflicted,         // an older object owns the same host + match
  kInvalidForProxy,    // the proxy's validator refuses the object's output
  kUnknownVersion,     // a match selects a version spec.versioning does not declare
  // ResolvedRefs=False: the object serves, a reference dangles.
  kBackendNotFound,
  kSecretNotFound,
  kInvalidSecret,
  kRefNotPermitted,  // another namespace's Secret or Service, without a ReferenceGrant there
  // Warning Events only, on an object that still serves (ObjectVerdict::
  // warnings): ingress-nginx annotations (docs/migration.md).
  kNginxAnnotationsIgnored,  // the import is off: every nginx annotation is ignored
  kSnippetNotHonoured,       // configuration-snippet & co: never honoured
  kAnnotationNotHonoured,    // a known annotation Archway does not implement
  kUnknownAnnotation,        // not an annotation the import knows
  kCanaryNotMerged,          // a canary Ingress with no main Ingress for a host + path
};

// One past the last enumerator, for tests that walk them all.
inline constexpr size_t kReasonCount = static_cast<size_t>(Reason::kCanaryNotMerged) + 1;

// The CamelCase string on conditions and Events ("InvalidRegex").
[[nodiscard]] std::string_view reason_name(Reason reason);

}  // namespace archway::controller::compile
