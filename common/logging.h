#pragma once
// Process-wide logger set-up shared by both binaries. spdlog's default logger
// is the one piece of process state we accept: it is configured once in main()
// before any thread starts and never reconfigured.

#include <string>

namespace archway {

// level: trace|debug|info|warn|error; format: text|json.
// Returns false (and leaves defaults) when level or format is unknown.
bool configure_logging(const std::string& level, const std::string& format);

}  // namespace archway
