// compile::Reason ↔ the CamelCase string users read on conditions and Events
// (controller/compile/reason.h). The strings are a contract (docs/controller.md
// "Reasons"): scripts and `kubectl wait --for=condition` users match on them,
// so this table pins every one.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "controller/compile/reason.h"

namespace archway::controller::compile {
namespace {

struct Spelling {
  Reason reason;
  std::string name;
};

const std::vector<Spelling>& spellings() {
  static const std::vector<Spelling> kTable = {
      {Reason::kAccepted, "Accepted"},
      {Reason::kResolvedRefs, "ResolvedRefs"},
      {Reason::kInvalidValue, "InvalidValue"},
      {Reason::kUnsupportedValue, "UnsupportedValue"},
      {Reason::kInvalidRegex, "InvalidRegex"},
      {Reason::kInvalidTemplate, "InvalidTemplate"},
      {Reason::kPolicyNotEnforced, "PolicyNotEnforced"},
      {Reason::kConflicted, "Conflicted"},
      {Reason::kInvalidForProxy, "InvalidForProxy"},
      {Reason::kUnknownVersion, "UnknownVersion"},
      {Reason::kBackendNotFound, "BackendNotFound"},
      {Reason::kSecretNotFound, "SecretNotFound"},
      {Reason::kInvalidSecret, "InvalidSecret"},
      {Reason::kRefNotPermitted, "RefNotPermitted"},
      {Reason::kNginxAnnotationsIgnored, "NginxAnnotationsIgnored"},
      {Reason::kSnippetNotHonoured, "SnippetNotHonoured"},
      {Reason::kAnnotationNotHonoured, "AnnotationNotHonoured"},
      {Reason::kUnknownAnnotation, "UnknownAnnotation"},
      {Reason::kCanaryNotMerged, "CanaryNotMerged"},
  };
  return kTable;
}

TEST(Reason, EachReasonIsSpelledAsUsersReadIt) {
  for (const auto& s : spellings()) {
    EXPECT_EQ(reason_name(s.reason), s.name) << "Reason #" << static_cast<int>(s.reason);
  }
}

TEST(Reason, EveryReasonHasItsOwnName) {
  // The table above names every enumerator once, and no two share a string,
  // so a condition's reason always tells which Reason it was.
  ASSERT_EQ(spellings().size(), kReasonCount);
  std::set<int> covered;
  std::set<std::string> names;
  for (size_t i = 0; i < kReasonCount; ++i) {
    const auto reason = static_cast<Reason>(i);
    const std::string name(reason_name(reason));
    EXPECT_TRUE(names.insert(name).second) << name << " names two reasons";
    ASSERT_FALSE(name.empty());
    EXPECT_TRUE(name[0] >= 'A' && name[0] <= 'Z') << name << " is not CamelCase";
    EXPECT_EQ(name.find_first_of(" _-."), std::string::npos) << name << " is not CamelCase";
  }
  for (const auto& s : spellings()) covered.insert(static_cast<int>(s.reason));
  EXPECT_EQ(covered.size(), kReasonCount) << "a Reason is missing from the table";
}

}  // namespace
}  // namespace archway::controller::compile
