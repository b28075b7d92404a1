// kubectl-archway: a kubectl plugin (kubectl finds kubectl-<name> on PATH).
// Reads the cluster through the user's kubeconfig, never writes to it.
// docs/kubectl-archway.md.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "controller/cli/args.h"
#include "controller/cli/cluster_read.h"
#include "controller/cli/explain.h"
#include "controller/cli/migrate.h"
#include "controller/cli/status_report.h"
#include "controller/k8s/kube_client.h"
#include "proxy/config/yaml_to_json.h"

namespace cli = archway::controller::cli;
namespace k8s = archway::controller::k8s;

namespace {

void warn(const std::string& text) { std::cerr << "warning: " << text << "\n"; }

int fail(const std::string& text) {
  std::cerr << "error: " << text << "\n";
  return 1;
}

archway::controller::compile::CompileOptions compile_options(const cli::CliArgs& args) {
  archway::controller::compile::CompileOptions options;
  options.ingress_class = args.ingress_class;
  options.controller_name = args.controller_name;
  options.watch_ingresses_without_class = args.watch_ingresses_without_class;
  options.version = "kubectl-archway";
  return options;
}

// The documents of a YAML stream ("---" separated), each as JSON.
archway::Result<std::vector<nlohmann::json>> read_documents(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line, current;
  auto flush = [&]() -> archway::Result<void> {
    if (current.find_first_not_of(" \t\r\n") == std::string::npos) {
      current.clear();
      return {};
    }
    auto json = archway::config::yaml_to_json(current);
    current.clear();
    if (!json.ok()) return json.error();
    if (!json->is_null()) out.push_back(std::move(*json));
    return {};
  };
  while (std::getline(in, line)) {
    if (line.starts_with("---") || line == "...") {
      if (auto done = flush(); !done.ok()) return done.error();
      continue;
    }
    current += line + "\n";
  }
  if (auto done = flush(); !done.ok()) return done.error();
  // A kubectl List (kubectl get -o yaml) holds its objects in items.
  std::vector<nlohmann::json> flat;
  for (auto& doc : out) {
    if (doc.is_object() && doc.value("kind", "") == "List" && doc.contains("items")) {
      for (auto& item : doc["items"]) flat.push_back(item);
    } else {
      flat.push_back(std::move(doc));
    }
  }
  return flat;
}

int run_migrate(const cli::CliArgs& args) {
  std::string text;
  if (args.file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(args.file, std::ios::binary);
    if (!in) return fail("cannot read " + args.file);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto documents = read_documents(text);
  if (!documents.ok()) return fail(args.file + ": " + documents.error().to_string());
  cli::MigrateOptions options;
  options.api_route_class = args.ingress_class;
  const auto result = cli::migrate(*documents, options);
  for (const auto& w : result.warnings) warn(w);
  if (args.output == cli::OutputFormat::kJson) {
    std::cout << cli::migrate_list(result).dump(2) << "\n";
  } else {
    std::cout << cli::migrate_yaml(result);
  }
  return result.ok ? 0 : 1;
}

int run_with_cluster(const cli::CliArgs& args) {
  auto config = k8s::load_kubeconfig(cli::kubeconfig_path(args.kubeconfig), args.context);
  if (!config.ok()) return fail("kubeconfig: " + config.error().to_string());
  auto client = k8s::make_kube_client(*config);
  auto read = cli::read_cluster(*client, args.ns);
  if (!read.ok()) return fail(read.error().to_string());
  for (const auto& w : read->warnings) warn(w);
  const auto options = compile_options(args);
  if (args.command == "status") {
    const auto rows = cli::not_ready(read->state, options);
    std::cout << cli::render_output(args.output, cli::status_json(rows),
                                    [&] { return cli::status_table(rows); });
    return 0;
  }
  auto explanation = cli::explain(read->state, args.request, options);
  if (!explanation.ok()) return fail(explanation.error().to_string());
  std::cout << cli::render_output(args.output, cli::explanation_json(*explanation),
                                  [&] { return cli::explanation_table(*explanation); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> raw(argv + 1, argv + argc);
  auto args = cli::parse_args(raw);
  if (!args.ok()) {
    std::cerr << "error: " << args.error().to_string() << "\n\n" << cli::usage();
    return 2;
  }
  if (args->command == "help") {
    std::cout << cli::usage();
    return 0;
  }
  if (args->command == "migrate") return run_migrate(*args);
  return run_with_cluster(*args);
}
