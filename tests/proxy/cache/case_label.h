#pragma once
// Names a table-driven test's rows by their `label` field (gtest's name
// generator; a lambda's `info` parameter shadows gtest's own under
// -Wshadow=local).

#include <gtest/gtest.h>

#include <string>

namespace archway::cache::testing {

struct CaseLabel {
  template <typename Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& row) const {
    return row.param.label;
  }
};

}  // namespace archway::cache::testing
