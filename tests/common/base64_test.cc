// The one base64 decoder, shared by the Kubernetes client (kubeconfig
// *-data fields) and the pure compile (Secret data).

#include "common/base64.h"

#include <gtest/gtest.h>

namespace archway {
namespace {

TEST(Base64, DecodesAndRejects) {
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVs\nbG8gd29y bGQ="), "hello world");
  EXPECT_EQ(base64_decode("aGVs\nbG8h"), "hello!");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("a$bc").has_value());
  EXPECT_FALSE(base64_decode("a$b=").has_value());
  EXPECT_FALSE(base64_decode("aG=Vs").has_value());
  EXPECT_FALSE(base64_decode("aGVsbG8=x").has_value());
}

}  // namespace
}  // namespace archway
