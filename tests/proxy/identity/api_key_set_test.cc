// ApiKeySet: digests in, key ids out; rotation, refusals, and that the set
// holds nothing a key could be recovered from.

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "proxy/identity/api_key_set.h"

namespace archway::identity {
namespace {

const std::string kTeamAKey = "ak_live_team_a_0123456789";
const std::string kTeamANewKey = "ak_live_team_a_rotated_9876";
const std::string kTeamBKey = "ak_live_team_b_abcdefghij";

ApiKeySet make_set() {
  const std::string a = sha256_hex(kTeamAKey);
  const std::string a_new = sha256_hex(kTeamANewKey);
  const std::string b = sha256_hex(kTeamBKey);
  const std::vector<ApiKeyDigestView> keys = {{"team-a", a}, {"team-b", b}, {"team-a", a_new}};
  auto set = ApiKeySet::create("x-api-key", keys);
  EXPECT_TRUE(set.ok()) << set.error().to_string();
  return std::move(set).value();
}

Result<std::string_view, ApiKeyFailure> present(const ApiKeySet& set,
                                                std::vector<std::string_view> fields) {
  return set.authenticate(fields);
}

TEST(ApiKeySet, RightKeyGivesItsId) {
  const ApiKeySet set = make_set();
  auto id = present(set, {kTeamBKey});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "team-b");
}

TEST(ApiKeySet, RotatedKeysOfOneIdAreBothValid) {
  const ApiKeySet set = make_set();
  auto old_key = present(set, {kTeamAKey});
  auto new_key = present(set, {kTeamANewKey});
  ASSERT_TRUE(old_key.ok());
  ASSERT_TRUE(new_key.ok());
  EXPECT_EQ(*old_key, "team-a");
  EXPECT_EQ(*new_key, "team-a");
  EXPECT_EQ(set.ids(), (std::vector<std::string_view>{"team-a", "team-b"}));
  EXPECT_EQ(set.digest_count(), 3u);
}

TEST(ApiKeySet, WrongKeyIsUnknown) {
  const ApiKeySet set = make_set();
  auto r = present(set, {"ak_live_team_a_0123456788"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ApiKeyFailure::kUnknownKey);
}

TEST(ApiKeySet, MissingOrRepeatedHeaderIsRefused) {
  const ApiKeySet set = make_set();
  auto none = present(set, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), ApiKeyFailure::kMissing);
  // Both copies valid: still refused, a second field is never a fallback.
  auto twice = present(set, {kTeamAKey, kTeamAKey});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error(), ApiKeyFailure::kRepeatedHeader);
}

struct MalformedCase {
  std::string name;
  std::string key;
};

class ApiKeyMalformedTest : public testing::TestWithParam<MalformedCase> {};

TEST_P(ApiKeyMalformedTest, IsRefusedBeforeHashing) {
  // The key's digest is listed, so only the form check can refuse it.
  const std::string& key = GetParam().key;
  const std::string digest = sha256_hex(key);
  const std::vector<ApiKeyDigestView> keys = {{"k", digest}};
  auto set = ApiKeySet::create("x-api-key", keys);
  ASSERT_TRUE(set.ok());
  auto r = set->lookup(key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ApiKeyFailure::kMalformed);
}

INSTANTIATE_TEST_SUITE_P(Keys, ApiKeyMalformedTest,
                         testing::Values(MalformedCase{"too_short", "1234567"},
                                         MalformedCase{"empty", ""},
                                         MalformedCase{"too_long", std::string(4097, 'k')},
                                         MalformedCase{"newline", "abcdefgh\nX-Admin: 1"},
                                         MalformedCase{"tab", "abcd\tefgh"},
                                         MalformedCase{"space", "abcd efgh"},
                                         MalformedCase{"nul", std::string("abcd\0efgh", 9)},
                                         MalformedCase{"del", "abcdefgh\x7f"},
                                         MalformedCase{"non_ascii", "abcdefgh\xc3\xa9"}),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(ApiKeySet, LongestAllowedKeyIsAccepted) {
  const std::string key(4096, 'k');
  const std::string digest = sha256_hex(key);
  const std::vector<ApiKeyDigestView> keys = {{"k", digest}};
  auto set = ApiKeySet::create("x-api-key", keys);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->lookup(key).ok());
}

TEST(ApiKeySet, CreateRefusesBadDigestsAndDuplicates) {
  const std::string digest = sha256_hex(kTeamAKey);
  const std::vector<ApiKeyDigestView> twice = {{"a", digest}, {"b", digest}};
  EXPECT_FALSE(ApiKeySet::create("x-api-key", twice).ok());
  const std::vector<ApiKeyDigestView> short_digest = {{"a", "abcd"}};
  EXPECT_FALSE(ApiKeySet::create("x-api-key", short_digest).ok());
  const std::vector<ApiKeyDigestView> no_id = {{"", digest}};
  EXPECT_FALSE(ApiKeySet::create("x-api-key", no_id).ok());
  EXPECT_FALSE(ApiKeySet::create("x-api-key", {}).ok());
  // Upper-case hex is the same digest.
  std::string upper = digest;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<ApiKeyDigestView> upper_key = {{"a", upper}};
  auto set = ApiKeySet::create("x-api-key", upper_key);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->lookup(kTeamAKey).ok());
}

// The set is built from digests alone, and what it hands back is an id
// stored in the set, never the presented key or a view into the request.
TEST(ApiKeySet, NeverHoldsOrReturnsKeyMaterial) {
  // A key id chosen equal to a key: the returned view must still be the
  // set's own copy of the id.
  const std::string key = "team-a-looks-like-a-key";
  const std::string digest = sha256_hex(key);
  const std::vector<ApiKeyDigestView> keys = {{"team-a-looks-like-a-key", digest}};
  auto set = ApiKeySet::create("x-api-key", keys);
  ASSERT_TRUE(set.ok());
  const std::string request_value = key;  // the request's header value
  auto id = set->lookup(request_value);
  ASSERT_TRUE(id.ok());
  const char* begin = request_value.data();
  const char* end = begin + request_value.size();
  EXPECT_FALSE(id->data() >= begin && id->data() < end);

  // Nothing the set exposes holds another key's text.
  const ApiKeySet full = make_set();
  std::string exposed = full.header();
  for (std::string_view i : full.ids()) exposed += std::string(i) + "\n";
  for (const std::string& k : {kTeamAKey, kTeamANewKey, kTeamBKey}) {
    EXPECT_EQ(exposed.find(k), std::string::npos);
    for (std::string_view i : full.ids()) EXPECT_NE(i, k);
  }
  static_assert(sizeof(Sha256Digest) == 32, "only digests are stored");
}

TEST(ApiKeySecretValue, OneKeyPerLineEachADigest) {
  // kubectl create secret --from-file leaves a trailing newline; CRLF too.
  const auto digests =
      api_key_digests_from_secret_value(kTeamAKey + "\r\n\n" + kTeamANewKey + "\n");
  ASSERT_TRUE(digests.ok()) << digests.error().to_string();
  EXPECT_EQ(*digests, (std::vector<std::string>{sha256_hex(kTeamAKey), sha256_hex(kTeamANewKey)}));
}

TEST(ApiKeySecretValue, RefusesWhatTheProxyWouldNeverMatchWithoutQuotingIt) {
  const auto spaced = api_key_digests_from_secret_value(kTeamAKey + "\nsecret key with spaces");
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.error().field, "line 2");
  EXPECT_EQ(spaced.error().to_string().find("secret key"), std::string::npos);
  EXPECT_FALSE(api_key_digests_from_secret_value("short").ok());
  EXPECT_FALSE(api_key_digests_from_secret_value("\n\r\n").ok());
  EXPECT_FALSE(api_key_digests_from_secret_value("").ok());
}

}  // namespace
}  // namespace archway::identity
