// SnapshotStore: save is atomic (temp + fsync + rename), load restores
// exactly what was saved, and failures are values.

#include "proxy/config/snapshot_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "archway-store-XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Snapshot sample(const std::string& version) {
    auto s = parse_snapshot_yaml(
        "version: '" + version +
        "'\nclusters: [{name: c, endpoints: [{address: 10.0.0.1, port: 80}]}]\n"
        "virtualHosts: [{name: h, domains: ['*'], routes: [{name: r, backends: [{cluster: c}],"
        " timeouts: {request: 1500ms}}]}]\n");
    EXPECT_TRUE(s.ok());
    return s->snapshot();
  }

  std::string dir_;
};

TEST_F(SnapshotStoreTest, LoadWithNothingSavedIsEmpty) {
  SnapshotStore store(dir_);
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(SnapshotStoreTest, SaveThenLoadRoundTrips) {
  SnapshotStore store(dir_);
  ASSERT_TRUE(store.save(sample("v1")).ok());
  ASSERT_TRUE(store.save(sample("v2")).ok());  // replaces
  auto loaded = SnapshotStore(dir_).load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((**loaded).snapshot(), sample("v2"));
  EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
  // File is private to the proxy: it holds TLS keys.
  struct stat st {};
  ASSERT_EQ(::stat(store.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SnapshotStoreTest, CorruptFileIsAnErrorNamingIt) {
  SnapshotStore store(dir_);
  std::ofstream(store.path()) << "{\"version\": \"\"}";
  auto loaded = store.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().to_string(), store.path() + ": version: must not be empty");
}

TEST_F(SnapshotStoreTest, UnwritableDirectoryIsUnavailable) {
  SnapshotStore store(dir_ + "/missing/dir");
  auto saved = store.save(sample("v1"));
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(saved.error().field, dir_ + "/missing/dir/snapshot.json.tmp");
  EXPECT_EQ(saved.error().message, "open: No such file or directory");
}

}  // namespace
}  // namespace archway::config
