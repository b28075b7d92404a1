#include "controller/cli/cluster_read.h"

#include <cstdlib>
#include <filesystem>

#include "controller/compile/referenced_secrets.h"
#include "controller/informer/kinds.h"

namespace archway::controller::cli {
namespace {

// The Secrets the routes name, fetched by name as the controller fetches
// them (informer/secret_fetcher.h): a user needs `get`, not `list`. A 404
// leaves the Secret out (compile says SecretNotFound, as the controller
// does); a 403 too, with one warning naming them, since the controller may
// well be allowed what this user is not.
void read_secrets(k8s::KubeClient& client, ClusterRead& out) {
  std::string forbidden;
  for (const auto& key : compile::referenced_secrets(out.state)) {
    auto got = client.get("/api/v1/namespaces/" + informer::query_escape(key.ns) + "/secrets/" +
                          informer::query_escape(key.name));
    if (got.ok() && got->status == 200 && got->body.is_object()) {
      out.state.secrets[key] = informer::trimmed(std::move(got->body));
    } else if (got.ok() && got->status == 403) {
      forbidden += (forbidden.empty() ? "" : ", ") + key.to_string();
    } else if (!got.ok() || got->status != 404) {
      out.warnings.push_back(
          "Secret " + key.to_string() + ": " +
          (got.ok() ? "HTTP " + std::to_string(got->status) : got.error().to_string()) +
          "; compiling without it");
    }
  }
  if (!forbidden.empty()) {
    out.warnings.push_back("cannot get Secrets (403 Forbidden): " + forbidden +
                           ". Compiling without them, so routes using them read as "
                           "SecretNotFound here although the controller may have them");
  }
}

}  // namespace

Result<ClusterRead> read_cluster(k8s::KubeClient& client, const std::string& ns) {
  ClusterRead out;
  for (const auto& kind : informer::controller_kinds()) {
    std::string cont;
    do {
      std::string path = informer::collection_path(kind, ns) + "?limit=500";
      if (!cont.empty()) path += "&continue=" + informer::query_escape(cont);
      auto answer = client.get(path);
      if (!answer.ok()) return answer.error();
      const int status = answer->status;
      if (status == 404 && kind.optional) {
        out.warnings.push_back("the " + kind.kind + " CRD is not installed: none read");
        break;
      }
      if (status < 200 || status > 299) {
        const std::string message =
            answer->body.is_object() ? answer->body.value("message", "") : "";
        return Error{status == 403 ? Error::Code::kInvalidArgument : Error::Code::kUnavailable,
                     "list " + kind.resource,
                     "HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message)};
      }
      const auto& body = answer->body;
      if (body.contains("items") && body["items"].is_array()) {
        for (const auto& item : body["items"]) {
          if (kind.keep != nullptr && !kind.keep(item)) continue;
          (out.state.*kind.member)[informer::key_of(item)] = informer::trimmed(item);
        }
      }
      cont = body.value("metadata", nlohmann::json::object()).value("continue", "");
    } while (!cont.empty());
  }
  read_secrets(client, out);
  return out;
}

std::string kubeconfig_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    const std::string list(env);
    for (size_t start = 0; start <= list.size();) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      const std::string entry = list.substr(start, end - start);
      if (!entry.empty() && std::filesystem::exists(entry)) return entry;
      start = end + 1;
    }
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.kube/config";
}

}  // namespace archway::controller::cli
