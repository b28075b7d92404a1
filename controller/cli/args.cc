#include "controller/cli/args.h"

#include <functional>
#include <map>

namespace archway::controller::cli {

Result<std::pair<std::string, std::string>> parse_pair(const std::string& text,
                                                       const std::string& flag) {
  size_t at = text.find('=');
  size_t skip = 1;
  if (const size_t colon = text.find(':'); colon != std::string::npos && colon < at) {
    at = colon;
    skip = 1;
  }
  if (at == std::string::npos || at == 0)
    return invalid(flag, "want NAME=VALUE, got \"" + text + "\"");
  std::string value = text.substr(at + skip);
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  return std::pair{text.substr(0, at), value};
}

Result<CliArgs> parse_args(const std::vector<std::string>& args) {
  CliArgs out;
  using Setter = std::function<Result<void>(const std::string&)>;
  auto set = [](std::string& field) {
    return Setter([&field](const std::string& v) -> Result<void> {
      field = v;
      return {};
    });
  };
  auto pair_into = [](std::vector<std::pair<std::string, std::string>>& list, std::string flag) {
    return Setter([&list, flag](const std::string& v) -> Result<void> {
      auto p = parse_pair(v, flag);
      if (!p.ok()) return p.error();
      list.push_back(*p);
      return {};
    });
  };
  const std::map<std::string, Setter> with_value = {
      {"--kubeconfig", set(out.kubeconfig)},
      {"--context", set(out.context)},
      {"-n", set(out.ns)},
      {"--namespace", set(out.ns)},
      {"-o",
       [&out](const std::string& v) -> Result<void> {
         auto format = parse_output_format(v);
         if (!format) return invalid("-o", "want table, json or yaml, got \"" + v + "\"");
         out.output = *format;
         out.output_set = true;
         return {};
       }},
      {"--ingress-class", set(out.ingress_class)},
      {"--controller-name", set(out.controller_name)},
      {"--host", set(out.request.host)},
      {"--path", set(out.request.path)},
      {"--method", set(out.request.method)},
      {"-X", set(out.request.method)},
      {"--header", pair_into(out.request.headers, "--header")},
      {"-H", pair_into(out.request.headers, "--header")},
      {"--query", pair_into(out.request.query, "--query")},
      {"-f", set(out.file)},
      {"--filename", set(out.file)},
  };
  std::map<std::string, std::string> aliases = {{"--output", "-o"}};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help" || arg == "help") {
      out.command = "help";
      return out;
    }
    if (arg == "-A" || arg == "--all-namespaces") {
      out.ns.clear();
      continue;
    }
    if (arg == "--watch-ingress-without-class" || arg == "--watch-ingresses-without-class") {
      out.watch_ingresses_without_class = true;
      continue;
    }
    if (!arg.starts_with("-") || arg == "-") {
      if (!out.command.empty()) return invalid(arg, "unexpected argument");
      out.command = arg;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string::npos && arg.starts_with("--")) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    if (auto alias = aliases.find(arg); alias != aliases.end()) arg = alias->second;
    const auto setter = with_value.find(arg);
    if (setter == with_value.end()) return invalid(arg, "unknown flag");
    if (!has_value) {
      if (i + 1 >= args.size()) return invalid(arg, "needs a value");
      value = args[++i];
    }
    if (auto done = setter->second(value); !done.ok()) return done.error();
  }
  if (out.command.empty()) out.command = "help";
  if (out.command != "explain" && out.command != "status" && out.command != "migrate" &&
      out.command != "help") {
    return invalid(out.command, "unknown command (explain, status, migrate)");
  }
  if (out.command == "explain" && out.request.host.empty()) return invalid("--host", "required");
  if (out.command == "migrate" && out.file.empty()) return invalid("-f", "required (a file or -)");
  return out;
}

std::string usage() {
  return R"(kubectl archway: what Archway makes of this cluster's routes.

Commands:
  explain --host H [--path P] [--method M] [--header K=V]... [--query K=V]...
          Which object, rule and backends serve the request, the policies in
          the order they run, and which other rules lost and why.
  status  APIRoutes and Ingresses of Archway that are not Ready, with reasons.
  migrate -f FILE|-
          The APIRoutes equivalent to Ingress documents (no cluster needed).

Flags:
  --kubeconfig PATH     kubeconfig (default: $KUBECONFIG, then ~/.kube/config)
  --context NAME        a kubeconfig context other than current-context
  -n, --namespace NS    read only this namespace (default: every namespace, as the
                        controller watches; -A is accepted)
  -o, --output FORMAT   table (default), json or yaml
  --ingress-class NAME  the controller's --ingress-class (default archway)
  --controller-name N   the controller's --controller-name
  --watch-ingress-without-class
                        as the controller flag of that name

See docs/kubectl-archway.md.
)";
}

}  // namespace archway::controller::cli
