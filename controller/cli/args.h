#pragma once
// The command line, as kubectl users expect it: `kubectl archway <command>`
// with --kubeconfig, --context, -n/--namespace, -A, -o; "--flag value" and
// "--flag=value" both work. Pure.

#include <string>
#include <vector>

#include "common/result.h"
#include "controller/cli/explain.h"
#include "controller/cli/output.h"

namespace archway::controller::cli {

struct CliArgs {
  std::string command;  // explain | status | migrate | help
  std::string kubeconfig;
  std::string context;
  std::string ns;  // empty: every namespace
  OutputFormat output = OutputFormat::kTable;
  bool output_set = false;
  // Mirrors of the controller's flags that change what compile decides.
  std::string ingress_class = "archway";
  std::string controller_name = "archway.dev/ingress-controller";
  bool watch_ingresses_without_class = false;
  ExplainRequest request;  // explain
  std::string file;        // migrate: a path or "-"
};

[[nodiscard]] Result<CliArgs> parse_args(const std::vector<std::string>& args);
[[nodiscard]] std::string usage();

// "K=V" or "K: V" → {K, V}.
[[nodiscard]] Result<std::pair<std::string, std::string>> parse_pair(const std::string& text,
                                                                     const std::string& flag);

}  // namespace archway::controller::cli
