// Golden files: tests/testdata/controller/X.in.yaml (Kubernetes objects) →
// X.out.json (snapshot + verdicts). Regenerate with UPDATE_GOLDEN=1 and review
// the diff like code.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

namespace fs = std::filesystem;
using testing::read_file;

std::vector<std::string> golden_cases() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(ARCHWAY_TESTDATA) / "controller")) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".in.yaml";
    if (file.size() > suffix.size() && file.ends_with(suffix)) {
      names.push_back(file.substr(0, file.size() - suffix.size()));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class CompileGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CompileGolden, MatchesGoldenAndParses) {
  const fs::path dir = fs::path(ARCHWAY_TESTDATA) / "controller";
  const ClusterState state = testing::state_from_yaml(read_file(dir / (GetParam() + ".in.yaml")));
  const auto result = compile::compile(state, testing::test_options(), {});

  // The proxy accepts what we produce: its own parser is the judge.
  const std::string json = config::to_json(result.snapshot);
  auto parsed = config::parse_snapshot_json(json);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->snapshot(), result.snapshot);

  const std::string actual = testing::result_json(result).dump(2) + "\n";
  const fs::path golden = dir / (GetParam() + ".out.json");
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden, std::ios::binary) << actual;
  }
  // Compared as text (byte-identical output is the contract), reported
  // briefly: the files are long, `git diff` after UPDATE_GOLDEN=1 shows it.
  EXPECT_TRUE(read_file(golden) == actual)
      << golden << " differs; regenerate with UPDATE_GOLDEN=1 and review `git diff`";
}

TEST_P(CompileGolden, IsDeterministic) {
  const fs::path dir = fs::path(ARCHWAY_TESTDATA) / "controller";
  const ClusterState state = testing::state_from_yaml(read_file(dir / (GetParam() + ".in.yaml")));
  const std::string first =
      config::to_json(compile::compile(state, testing::test_options(), {}).snapshot);
  for (int i = 0; i < 3; ++i) {
    const ClusterState copy = state;  // a fresh copy: no hidden reliance on identity
    EXPECT_EQ(first, config::to_json(compile::compile(copy, testing::test_options(), {}).snapshot));
  }
}

INSTANTIATE_TEST_SUITE_P(Files, CompileGolden, ::testing::ValuesIn(golden_cases()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace archway::controller
