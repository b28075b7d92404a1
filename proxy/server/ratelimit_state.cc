#include "proxy/server/ratelimit_state.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace archway::server {

using Json = nlohmann::json;

Result<void> save_rate_limit_debts(const std::string& state_dir,
                                   const ratelimit::LimitTables::Debts& debts) {
  Json limits = Json::array();
  for (const auto& [id, buckets] : debts) {
    Json list = Json::array();
    for (const auto& b : buckets) list.push_back(Json::array({b.key, b.tat}));
    limits.push_back({{"id", id}, {"buckets", std::move(list)}});
  }
  const std::string path = state_dir + "/" + kRateLimitStateFile;
  const std::string tmp = path + ".tmp";
  {
    // Owner only: keys are client addresses, header values, key ids.
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return invalid(tmp, "cannot write");
    out << Json{{"version", 1}, {"limits", std::move(limits)}}.dump();
    if (!out.flush()) return invalid(tmp, "cannot write");
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return invalid(path, ec.message());
  return {};
}

Result<ratelimit::LimitTables::Debts> load_rate_limit_debts(const std::string& state_dir) {
  const std::string path = state_dir + "/" + kRateLimitStateFile;
  ratelimit::LimitTables::Debts out;
  std::ifstream in(path);
  if (!in) return out;  // nothing saved: full buckets
  const Json doc = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != 1 ||
      !doc.contains("limits") || !doc["limits"].is_array()) {
    return invalid(path, "not a rate-limit state file of version 1");
  }
  for (const Json& limit : doc["limits"]) {
    if (!limit.is_object() || !limit.contains("id") || !limit["id"].is_string() ||
        !limit.contains("buckets") || !limit["buckets"].is_array()) {
      return invalid(path, "a limit without id or buckets");
    }
    auto& buckets = out[limit["id"].get<std::string>()];
    for (const Json& b : limit["buckets"]) {
      if (!b.is_array() || b.size() != 2 || !b[0].is_string() || !b[1].is_number_integer()) {
        return invalid(path, "a bucket that is not [key, tat]");
      }
      buckets.push_back({b[0].get<std::string>(), b[1].get<int64_t>()});
    }
  }
  return out;
}

}  // namespace archway::server
