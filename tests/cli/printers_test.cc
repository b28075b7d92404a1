// The table, JSON and YAML printers of kubectl-archway, and its flags.

#include <gtest/gtest.h>

#include "controller/cli/args.h"
#include "controller/cli/output.h"
#include "controller/cli/status_report.h"
#include "controller/cli/table.h"
#include "controller/cli/yaml_writer.h"
#include "proxy/config/yaml_to_json.h"

namespace archway::controller::cli {
namespace {

TEST(Table, ColumnsArePaddedToTheWidestCell) {
  EXPECT_EQ(render_table({"name", "reason"}, {{"a", "Conflicted"}, {"longer-name", ""}}),
            "NAME          REASON\n"
            "a             Conflicted\n"
            "longer-name\n");
}

TEST(Yaml, ScalarsThatYamlWouldReadOtherwiseAreQuoted) {
  EXPECT_EQ(yaml_scalar("shop.example.com"), "shop.example.com");
  EXPECT_EQ(yaml_scalar("/api/v1"), "/api/v1");
  EXPECT_EQ(yaml_scalar("*.example.com"), "\"*.example.com\"");
  EXPECT_EQ(yaml_scalar("true"), "\"true\"");
  EXPECT_EQ(yaml_scalar("No"), "\"No\"");
  EXPECT_EQ(yaml_scalar("80"), "\"80\"");
  EXPECT_EQ(yaml_scalar(""), "\"\"");
  EXPECT_EQ(yaml_scalar("a: b"), "\"a: b\"");
  EXPECT_EQ(yaml_scalar("x #y"), "\"x #y\"");
  EXPECT_EQ(yaml_scalar("line\nbreak"), "\"line\\nbreak\"");
  EXPECT_EQ(yaml_scalar("{braces}"), "\"{braces}\"");
}

TEST(Yaml, ReadsBackAsTheSameJson) {
  const OrderedJson doc = OrderedJson::parse(R"({
    "apiVersion": "archway.dev/v1alpha1", "kind": "APIRoute",
    "metadata": {"name": "x", "labels": {}},
    "spec": {"hostnames": ["*.a.com", "b.com"], "tls": {"secretName": "s"},
             "rules": [{"name": "r", "matches": [{"path": {"type": "Exact", "value": "/"},
                        "methods": ["GET", "HEAD"]}], "backends": [{"name": "b", "port": 80,
                        "weight": 0}], "empty": [], "nested": [[1, 2], []],
                        "flag": true, "nothing": null, "text": "yes: no # 1\n\ttab"}]}})");
  const std::string text = to_yaml(doc);
  auto back = config::yaml_to_json(text);
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << text;
  EXPECT_EQ(*back, nlohmann::json::parse(doc.dump())) << text;
}

TEST(Output, PicksTheFormat) {
  const OrderedJson doc = {{"b", 1}, {"a", "x"}};
  EXPECT_EQ(render_output(OutputFormat::kJson, doc, [] { return "t"; }),
            "{\n  \"b\": 1,\n  \"a\": \"x\"\n}\n");
  EXPECT_EQ(render_output(OutputFormat::kYaml, doc, [] { return "t"; }), "b: 1\na: x\n");
  EXPECT_EQ(render_output(OutputFormat::kTable, doc, [] { return "t"; }), "t");
  EXPECT_FALSE(parse_output_format("xml"));
}

TEST(Output, StatusRowsAsTableAndJson) {
  const std::vector<StatusRow> rows = {
      {"APIRoute", "ns", "bad", "Accepted", "InvalidRegex", "spec.rules[0]: ..."}};
  EXPECT_EQ(status_table(rows),
            "KIND       NAMESPACE   NAME   CONDITION   REASON         MESSAGE\n"
            "APIRoute   ns          bad    Accepted    InvalidRegex   spec.rules[0]: ...\n");
  EXPECT_EQ(
      status_json(rows).dump(),
      R"({"notReady":[{"kind":"APIRoute","namespace":"ns","name":"bad","condition":"Accepted","reason":"InvalidRegex","message":"spec.rules[0]: ..."}]})");
  EXPECT_EQ(status_table({}), "Every APIRoute and Ingress of this controller is Ready.\n");
}

TEST(Args, KubectlStyleFlags) {
  auto args = parse_args({"explain",      "--host=shop.example.com",
                          "--path",       "/a?x=1",
                          "-X",           "POST",
                          "--header",     "X-Env=canary",
                          "-H",           "X-B: c",
                          "--query",      "v=2",
                          "-n",           "shop",
                          "--context",    "dev",
                          "-o",           "json",
                          "--kubeconfig", "/k"});
  ASSERT_TRUE(args.ok()) << args.error().to_string();
  EXPECT_EQ(args->command, "explain");
  EXPECT_EQ(args->request.host, "shop.example.com");
  EXPECT_EQ(args->request.path, "/a?x=1");
  EXPECT_EQ(args->request.method, "POST");
  EXPECT_EQ(args->request.headers,
            (std::vector<std::pair<std::string, std::string>>{{"X-Env", "canary"}, {"X-B", "c"}}));
  EXPECT_EQ(args->request.query, (std::vector<std::pair<std::string, std::string>>{{"v", "2"}}));
  EXPECT_EQ(args->ns, "shop");
  EXPECT_EQ(args->context, "dev");
  EXPECT_EQ(args->kubeconfig, "/k");
  EXPECT_EQ(args->output, OutputFormat::kJson);
}

TEST(Args, Refusals) {
  EXPECT_FALSE(parse_args({"explain"}).ok());  // --host
  EXPECT_FALSE(parse_args({"migrate"}).ok());  // -f
  EXPECT_FALSE(parse_args({"status", "-o", "xml"}).ok());
  EXPECT_FALSE(parse_args({"status", "--bogus"}).ok());
  EXPECT_FALSE(parse_args({"frobnicate"}).ok());
  EXPECT_FALSE(parse_args({"explain", "--host", "h", "--header", "novalue"}).ok());
  EXPECT_EQ(parse_args({"migrate", "-f", "-"})->file, "-");
  EXPECT_EQ(parse_args({})->command, "help");
  EXPECT_TRUE(
      parse_args({"status", "-A", "--watch-ingress-without-class"})->watch_ingresses_without_class);
}

}  // namespace
}  // namespace archway::controller::cli
