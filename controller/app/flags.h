#pragma once
// Command line → AppOptions. Returns an Error (with usage text) for bad input;
// `help` is set when --help was asked for.

#include <string>

#include "common/result.h"
#include "controller/app/options.h"

namespace archway::controller::app {

struct ParsedFlags {
  AppOptions options;
  bool help = false;
  std::string usage;
};

[[nodiscard]] Result<ParsedFlags> parse_flags(int argc, const char* const* argv);

}  // namespace archway::controller::app
