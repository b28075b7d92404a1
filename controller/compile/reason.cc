#include "controller/compile/reason.h"

namespace archway::controller::compile {

std::string_view reason_name(Reason reason) {
  // No default: -Wswitch (an error here) names a new Reason left unspelled.
  switch (reason) {
    case Reason::kAccepted:
      return "Accepted";
    case Reason::kResolvedRefs:
      return "ResolvedRefs";
    case Reason::kInvalidValue:
      return "InvalidValue";
    case Reason::kUnsupportedValue:
      return "UnsupportedValue";
    case Reason::kInvalidRegex:
      return "InvalidRegex";
    case Reason::kInvalidTemplate:
      return "InvalidTemplate";
    case Reason::kPolicyNotEnforced:
      return "PolicyNotEnforced";
    case Reason::kConflicted:
      return "Conflicted";
    case Reason::kInvalidForProxy:
      return "InvalidForProxy";
    case Reason::kUnknownVersion:
      return "UnknownVersion";
    case Reason::kBackendNotFound:
      return "BackendNotFound";
    case Reason::kSecretNotFound:
      return "SecretNotFound";
    case Reason::kInvalidSecret:
      return "InvalidSecret";
    case Reason::kRefNotPermitted:
      return "RefNotPermitted";
    case Reason::kNginxAnnotationsIgnored:
      return "NginxAnnotationsIgnored";
    case Reason::kSnippetNotHonoured:
      return "SnippetNotHonoured";
    case Reason::kAnnotationNotHonoured:
      return "AnnotationNotHonoured";
    case Reason::kUnknownAnnotation:
      return "UnknownAnnotation";
    case Reason::kCanaryNotMerged:
      return "CanaryNotMerged";
  }
  return "Unknown";  // unreachable for a valid enumerator
}

}  // namespace archway::controller::compile
