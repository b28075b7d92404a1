// KubeClient on cpprestsdk (DESIGN.md §1, §6). One http_client (and so one
// keep-alive connection pool) serves every plain request; each watch gets its
// own http_client because it holds a connection for minutes. Every
// cpprestsdk/Boost exception is caught in this file and becomes an Error.
//
// pplx terminates the process when a failed task is never observed, so each
// task started here is either waited on with get() or has a continuation that
// observes it (see wait_or_stop).

#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <spdlog/spdlog.h>

#include "controller/k8s/kube_client.h"
#include "controller/k8s/kube_tls.h"

namespace archway::controller::k8s {
namespace {

namespace http = web::http;
namespace client = web::http::client;
using namespace std::chrono_literals;

// Plain requests: the API server answers within seconds or something is wrong.
constexpr auto kRequestTimeout = 30s;
// Watches: cpprestsdk's timeout covers the whole exchange, so it must exceed
// the longest server-side timeoutSeconds the informers ask for (<= 330 s).
constexpr auto kWatchTimeout = 10min;
// How often a blocked watch checks stop() (InformerSet::stop promptness).
constexpr auto kStopPoll = 100ms;

Error unavailable(const std::string& what, const std::string& detail) {
  return Error{Error::Code::kUnavailable, what, detail};
}

nlohmann::json parse_body(const std::vector<unsigned char>& bytes) {
  if (bytes.empty()) return nullptr;
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return nlohmann::json{{"message", std::string(bytes.begin(), bytes.end()).substr(0, 512)}};
  }
  return j;
}

// Waits for `task` while polling `stop`. Returns false when stop() fired; the
// request is then cancelled (cpprestsdk closes its socket) and the task is
// observed by the continuation, whenever it finishes.
template <typename T>
bool wait_or_stop(const pplx::task<T>& task, const std::function<bool()>& stop,
                  pplx::cancellation_token_source& cts) {
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  task.then([done](pplx::task<T> t) {
    try {
      t.get();
    } catch (...) {  // observed here; the caller reads the outcome with get()
    }
    done->set_value();
  });
  while (finished.wait_for(kStopPoll) != std::future_status::ready) {
    if (stop()) {
      cts.cancel();
      finished.wait_for(5s);  // let the socket close before the client goes away
      return false;
    }
  }
  return true;
}

class CppRestKubeClient final : public KubeClient {
 public:
  explicit CppRestKubeClient(KubeConfig config) : config_(std::move(config)) {
    token_ = config_.bearer_token;
    if (auto tls = check_tls(config_); !tls) {
      init_error_ = tls.error();
      return;
    }
    try {
      client_ = std::make_unique<client::http_client>(config_.server, client_config(kRequestTimeout));
    } catch (const std::exception& e) {
      init_error_ = invalid("server", std::string("bad API server URL: ") + e.what());
    }
  }

  Result<HttpResult> get(const std::string& path) override {
    return request(http::methods::GET, path, nullptr, "");
  }
  Result<HttpResult> post(const std::string& path, const nlohmann::json& body) override {
    return request(http::methods::POST, path, &body, "application/json");
  }
  Result<HttpResult> put(const std::string& path, const nlohmann::json& body) override {
    return request(http::methods::PUT, path, &body, "application/json");
  }
  Result<HttpResult> patch(const std::string& path, const nlohmann::json& body,
                           const std::string& content_type) override {
    return request(http::methods::PATCH, path, &body, content_type);
  }
  Result<HttpResult> del(const std::string& path) override {
    return request(http::methods::DEL, path, nullptr, "");
  }

  Result<int> watch(const std::string& path,
                    const std::function<void(const WatchEvent&)>& on_event,
                    const std::function<bool()>& stop) override {
    if (init_error_) return *init_error_;
    try {
      client::http_client watch_client(config_.server, client_config(kWatchTimeout));
      pplx::cancellation_token_source cts;
      auto pending = watch_client.request(make_request(http::methods::GET, path, nullptr, ""),
                                          cts.get_token());
      if (!wait_or_stop(pending, stop, cts)) return 200;
      http::http_response response = pending.get();
      if (response.status_code() != http::status_codes::OK) {
        auto drained = response.extract_vector();
        if (wait_or_stop(drained, stop, cts)) drained.get();
        if (response.status_code() == http::status_codes::Unauthorized) reload_token();
        return static_cast<int>(response.status_code());
      }
      return stream_events(response.body(), on_event, stop, cts);
    } catch (const std::exception& e) {
      return unavailable("watch " + path, e.what());
    }
  }

 private:
  client::http_client_config client_config(std::chrono::seconds timeout) const {
    client::http_client_config cfg;
    cfg.set_timeout(timeout);
    cfg.set_validate_certificates(!config_.insecure_skip_tls_verify);
    KubeConfig tls = config_;  // the callback outlives no client; copy keeps it self-contained
    cfg.set_ssl_context_callback([tls](boost::asio::ssl::context& ctx) {
      if (auto r = apply_tls(ctx, tls); !r) spdlog::error("kube client TLS: {}", r.error().to_string());
    });
    return cfg;
  }

  http::http_request make_request(const http::method& method, const std::string& path,
                                  const nlohmann::json* body, const std::string& content_type) {
    http::http_request req(method);
    req.set_request_uri(path);
    req.headers().add("Accept", "application/json");
    req.headers().add("User-Agent", "archway-controller");
    if (std::string token = current_token(); !token.empty()) {
      req.headers().add("Authorization", "Bearer " + token);
    }
    if (body != nullptr) req.set_body(body->dump(), content_type);
    return req;
  }

  Result<HttpResult> request(const http::method& method, const std::string& path,
                             const nlohmann::json* body, const std::string& content_type) {
    if (init_error_) return *init_error_;
    for (int attempt = 0;; ++attempt) {
      try {
        http::http_response response =
            client_->request(make_request(method, path, body, content_type)).get();
        HttpResult result;
        result.status = static_cast<int>(response.status_code());
        result.body = parse_body(response.extract_vector().get());
        // Projected service-account tokens rotate: re-read once and retry.
        if (result.status == 401 && attempt == 0 && reload_token()) continue;
        return result;
      } catch (const std::exception& e) {
        return unavailable(std::string(method) + " " + path, e.what());
      }
    }
  }

  // Reads the watch body line by line as chunks arrive (one JSON event each).
  Result<int> stream_events(concurrency::streams::istream body,
                            const std::function<void(const WatchEvent&)>& on_event,
                            const std::function<bool()>& stop,
                            pplx::cancellation_token_source& cts) {
    while (true) {
      concurrency::streams::container_buffer<std::string> line;
      auto read = body.read_line(line);
      if (!wait_or_stop(read, stop, cts)) return 200;
      const size_t n = read.get();
      if (n == 0 && body.is_eof()) return 200;  // server ended the watch (timeoutSeconds)
      const std::string& text = line.collection();
      if (text.empty()) continue;
      auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded() || !j.is_object()) {
        return Error{Error::Code::kUnavailable, "watch", "malformed watch event line"};
      }
      WatchEvent event;
      event.type = j.value("type", "");
      event.object = std::move(j["object"]);
      on_event(event);
      if (stop()) {
        cts.cancel();
        return 200;
      }
    }
  }

  std::string current_token() {
    std::lock_guard lock(mu_);
    return token_;
  }

  // Returns true when the token file held a different token.
  bool reload_token() {
    if (config_.bearer_token_file.empty()) return false;
    std::ifstream in(config_.bearer_token_file);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    std::lock_guard lock(mu_);
    if (token.empty() || token == token_) return false;
    token_ = std::move(token);
    return true;
  }

  const KubeConfig config_;
  std::optional<Error> init_error_;
  std::unique_ptr<client::http_client> client_;  // thread-safe; pools connections
  std::mutex mu_;                                // guards token_
  std::string token_;
};

}  // namespace

std::unique_ptr<KubeClient> make_kube_client(const KubeConfig& config) {
  return std::make_unique<CppRestKubeClient>(config);
}

}  // namespace archway::controller::k8s
