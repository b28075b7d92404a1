// load_kubeconfig / load_in_cluster_config: table-driven over kubeconfig files
// generated in a temp dir.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "controller/k8s/kube_client.h"

namespace archway::controller::k8s {
namespace {

namespace fs = std::filesystem;

class KubeconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("archway-kubeconfig-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

// "hello" and "world" in base64.
constexpr const char* kHello = "aGVsbG8=";
constexpr const char* kWorld = "d29y\n      bGQ=";  // wrapped, as some tools write it

std::string kubeconfig(const std::string& cluster, const std::string& user,
                       const std::string& context_extra = "") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
         "contexts:\n- name: other\n  context: {cluster: nope, user: nope}\n"
         "- name: dev\n  context:\n    cluster: c1\n    user: u1\n" +
         context_extra +
         "clusters:\n- name: c1\n  cluster:\n" + cluster +
         "users:\n- name: u1\n  user:\n" + user;
}

struct Case {
  std::string name;
  std::string cluster, user, context_extra;
  bool ok;
  KubeConfig want;           // compared when ok
  std::string error_substr;  // checked when !ok
};

TEST_F(KubeconfigTest, TableDriven) {
  write("ca.pem", "CA-FROM-FILE");
  write("tok", "file-token\n");
  fs::create_directories(dir_ / "certs");
  write("certs/c.pem", "CERT");
  write("certs/k.pem", "KEY");

  auto want = [](auto f) {
    KubeConfig c;
    c.server = "https://127.0.0.1:6443";
    f(c);
    return c;
  };
  const std::vector<Case> cases = {
      {"inline data and token",
       std::string("    server: https://127.0.0.1:6443/\n    certificate-authority-data: ") +
           kHello + "\n",
       "    token: abc\n", "", true, want([](KubeConfig& c) {
         c.ca_pem = "hello";
         c.bearer_token = "abc";
       }),
       ""},
      {"client certificate data",
       "    server: https://127.0.0.1:6443\n",
       std::string("    client-certificate-data: ") + kHello + "\n    client-key-data: " + kWorld +
           "\n",
       "", true, want([](KubeConfig& c) {
         c.client_cert_pem = "hello";
         c.client_key_pem = "world";
       }),
       ""},
      {"relative files, namespace, tokenFile",
       "    server: https://127.0.0.1:6443\n    certificate-authority: ca.pem\n",
       "    client-certificate: certs/c.pem\n    client-key: certs/k.pem\n    tokenFile: tok\n",
       "    namespace: shop\n", true, want([&](KubeConfig& c) {
         c.ca_pem = "CA-FROM-FILE";
         c.client_cert_pem = "CERT";
         c.client_key_pem = "KEY";
         c.bearer_token = "file-token";
         c.bearer_token_file = (dir_ / "tok").string();
         c.default_namespace = "shop";
       }),
       ""},
      {"insecure", "    server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true\n",
       "    token: t\n", "", true, want([](KubeConfig& c) {
         c.insecure_skip_tls_verify = true;
         c.bearer_token = "t";
       }),
       ""},
      {"bad base64", "    server: https://x\n    certificate-authority-data: '!!!'\n",
       "    token: t\n", "", false, {}, "certificate-authority-data"},
      {"missing CA file", "    server: https://x\n    certificate-authority: nope.pem\n",
       "    token: t\n", "", false, {}, "nope.pem"},
      {"cert without key", "    server: https://x\n",
       std::string("    client-certificate-data: ") + kHello + "\n", "", false, {},
       "set together"},
      {"no server", "    insecure-skip-tls-verify: true\n", "    token: t\n", "", false, {},
       "server"},
      {"exec plugin", "    server: https://x\n", "    exec: {command: aws}\n", "", false, {},
       "exec"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = write("config", kubeconfig(c.cluster, c.user, c.context_extra));
    auto got = load_kubeconfig(path);
    ASSERT_EQ(got.ok(), c.ok) << (got.ok() ? "" : got.error().to_string());
    if (!c.ok) {
      EXPECT_NE(got.error().to_string().find(c.error_substr), std::string::npos)
          << got.error().to_string();
      continue;
    }
    EXPECT_EQ(got->server, c.want.server);
    EXPECT_EQ(got->ca_pem, c.want.ca_pem);
    EXPECT_EQ(got->client_cert_pem, c.want.client_cert_pem);
    EXPECT_EQ(got->client_key_pem, c.want.client_key_pem);
    EXPECT_EQ(got->bearer_token, c.want.bearer_token);
    EXPECT_EQ(got->bearer_token_file, c.want.bearer_token_file);
    EXPECT_EQ(got->default_namespace, c.want.default_namespace);
    EXPECT_EQ(got->insecure_skip_tls_verify, c.want.insecure_skip_tls_verify);
  }
}

TEST_F(KubeconfigTest, StructuralErrors) {
  EXPECT_FALSE(load_kubeconfig((dir_ / "absent").string()).ok());
  EXPECT_FALSE(load_kubeconfig(write("bad", "clusters: [unclosed\n")).ok());
  EXPECT_FALSE(load_kubeconfig(write("list", "- a\n- b\n")).ok());
  auto no_context = load_kubeconfig(write("nc", "apiVersion: v1\nclusters: []\n"));
  ASSERT_FALSE(no_context.ok());
  EXPECT_NE(no_context.error().to_string().find("current-context"), std::string::npos);
  auto dangling = load_kubeconfig(write(
      "dc", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone, user: u}\n"));
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.error().to_string().find("gone"), std::string::npos);
}

// kubectl's --context: a named context instead of current-context.
TEST_F(KubeconfigTest, NamedContext) {
  const std::string text =
      "current-context: a\n"
      "contexts:\n- name: a\n  context: {cluster: ca, user: u}\n"
      "- name: b\n  context: {cluster: cb, user: u, namespace: shop}\n"
      "clusters:\n- name: ca\n  cluster: {server: \"https://a:6443\"}\n"
      "- name: cb\n  cluster: {server: \"https://b:6443/\"}\n"
      "users:\n- name: u\n  user: {token: t}\n";
  const std::string path = write("multi", text);
  auto current = load_kubeconfig(path, "");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->server, "https://a:6443");
  auto named = load_kubeconfig(path, "b");
  ASSERT_TRUE(named.ok()) << named.error().to_string();
  EXPECT_EQ(named->server, "https://b:6443");
  EXPECT_EQ(named->default_namespace, "shop");
  EXPECT_EQ(named->bearer_token, "t");
  auto missing = load_kubeconfig(path, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().to_string().find("no context named nope"), std::string::npos)
      << missing.error().to_string();
}

TEST_F(KubeconfigTest, InClusterNeedsServiceEnv) {
  // Only the negative path is testable without root: the SA files live under /var/run.
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  if (host != nullptr) GTEST_SKIP() << "running inside a cluster";
  auto got = load_in_cluster_config();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, Error::Code::kNotFound);
}

}  // namespace
}  // namespace archway::controller::k8s
