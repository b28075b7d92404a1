package chart

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Grafana dashboard ConfigMap and the PodMonitor (docs/observability.md
// "Dashboards"): off by default; when on, the ConfigMap carries the
// sidecar's label and the dashboard as JSON that parses, and the PodMonitor
// scrapes the port the proxy container declares for its admin listener.

// render renders the chart with --set pairs and returns stdout.
func render(t *testing.T, set ...string) string {
	t.Helper()
	args := []string{"template", release, filepath.Join(repoRoot(t), "helm", "archway"), "--namespace", namespace}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	out, errOut, err := helm(t, args...)
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", set, err, errOut)
	}
	return out
}

// documents splits helm template output into its objects, by the
// "# Source: PATH" comment helm writes at the top of each.
func documents(manifest string) map[string]string {
	out := map[string]string{}
	for _, doc := range strings.Split(manifest, "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		first, rest, _ := strings.Cut(doc, "\n")
		if src, ok := strings.CutPrefix(first, "# Source: archway/"); ok {
			out[src] = rest
		}
	}
	return out
}

// block returns the lines under the first line equal (trimmed) to head that
// are indented deeper than it, with that indentation removed.
func block(doc, head string) (string, bool) {
	lines := strings.Split(doc, "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for i, l := range lines {
		if strings.TrimSpace(l) != head {
			continue
		}
		at := indent(l)
		var body []string
		inner := -1
		for _, m := range lines[i+1:] {
			if strings.TrimSpace(m) != "" && indent(m) <= at {
				break
			}
			if inner < 0 {
				inner = indent(m)
			}
			body = append(body, m[min(inner, len(m)):])
		}
		return strings.Join(body, "\n"), true
	}
	return "", false
}

func dashboardFile(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "helm", "archway", "dashboards", "archway.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMetricsExtrasAreOffByDefault(t *testing.T) {
	docs := documents(render(t))
	for _, name := range []string{"templates/grafana-dashboard.yaml", "templates/podmonitor.yaml", "templates/servicemonitor.yaml"} {
		if doc, ok := docs[name]; ok {
			t.Errorf("default values render %s:\n%s", name, doc)
		}
	}
	if len(docs) < 5 {
		t.Fatalf("only %d objects in the default render; the split is broken: %v", len(docs), docs)
	}
}

func TestGrafanaDashboardConfigMap(t *testing.T) {
	for _, c := range []struct {
		name       string
		set        []string
		ns, labels string
	}{
		{"defaults", []string{"metrics.grafanaDashboard.enabled=true"}, namespace, `grafana_dashboard: "1"`},
		{"own label and namespace", []string{"metrics.grafanaDashboard.enabled=true",
			"metrics.grafanaDashboard.namespace=monitoring", "metrics.grafanaDashboard.label=example.com/dashboard",
			"metrics.grafanaDashboard.labelValue=archway", "metrics.grafanaDashboard.annotations.grafana_folder=Gateways"},
			"monitoring", `example.com/dashboard: "archway"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, ok := documents(render(t, c.set...))["templates/grafana-dashboard.yaml"]
			if !ok {
				t.Fatal("no templates/grafana-dashboard.yaml in the render")
			}
			for _, want := range []string{"kind: ConfigMap", "  name: archway-dashboard", "  namespace: " + c.ns, "    " + c.labels} {
				if !slices.Contains(strings.Split(doc, "\n"), want) {
					t.Errorf("ConfigMap lacks the line %q:\n%.800s", want, doc)
				}
			}
			if strings.Contains(c.name, "own") && !strings.Contains(doc, "\n  annotations:\n    grafana_folder: Gateways\n") {
				t.Errorf("ConfigMap lacks the annotation grafana_folder: Gateways:\n%.800s", doc)
			}
			data, ok := block(doc, "archway.json: |-")
			if !ok {
				t.Fatalf("ConfigMap has no data key archway.json:\n%.800s", doc)
			}
			if !json.Valid([]byte(data)) {
				t.Fatalf("the ConfigMap's archway.json is not JSON:\n%.800s", data)
			}
			if strings.TrimSpace(data) != strings.TrimSpace(string(dashboardFile(t))) {
				t.Error("the ConfigMap's archway.json differs from helm/archway/dashboards/archway.json")
			}
		})
	}
}

// dashboard is the part of Grafana's dashboard model the checks read.
type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource any    `json:"datasource"`
		Targets    []struct {
			Expr       string `json:"expr"`
			Datasource any    `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

// variable is a dashboard variable; Grafana writes a query variable's query
// as a string, or (Grafana 10) as {"query": "...", "refId": "..."}.
type variable struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Query      any    `json:"query"`
	Datasource any    `json:"datasource"`
}

func (v variable) query() string {
	switch q := v.Query.(type) {
	case string:
		return q
	case map[string]any:
		s, _ := q["query"].(string)
		return s
	}
	return ""
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal(dashboardFile(t), &d); err != nil {
		t.Fatalf("helm/archway/dashboards/archway.json: %v", err)
	}
	return d
}

// expressions returns every PromQL expression of the dashboard: panel
// targets and the query variables' label_values(...).
func (d dashboard) expressions() []string {
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if q := v.query(); v.Type == "query" && q != "" {
			out = append(out, q)
		}
	}
	return out
}

var metricName = regexp.MustCompile(`archway_[a-zA-Z0-9_]+`)

func TestGrafanaDashboardModel(t *testing.T) {
	d := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Errorf("uid %q, title %q: both must be set", d.UID, d.Title)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type + " " + v.query()
	}
	for name, want := range map[string]string{
		"datasource": "datasource prometheus",
		"route":      "query label_values(archway_requests_total, route)",
		"cluster":    "query label_values(archway_upstream_requests_total, cluster)",
	} {
		if vars[name] != want {
			t.Errorf("variable %s: %q, want %q", name, vars[name], want)
		}
	}
	isTemplated := func(ds any) bool {
		m, _ := ds.(map[string]any)
		return m["type"] == "prometheus" && m["uid"] == "${datasource}"
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if !isTemplated(p.Datasource) || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %v, %d targets; want ${datasource} and some", p.Title, p.Datasource, len(p.Targets))
		}
		for _, tg := range p.Targets {
			if !isTemplated(tg.Datasource) || tg.Expr == "" {
				t.Errorf("panel %q: a target with datasource %v and expr %q", p.Title, tg.Datasource, tg.Expr)
			}
			for _, m := range metricName.FindAllString(tg.Expr, -1) {
				used[m] = true
			}
		}
	}
	// What the dashboard must show (issue 17).
	for _, m := range []string{
		"archway_requests_total", "archway_request_duration_seconds_bucket",
		"archway_upstream_requests_total", "archway_upstream_request_duration_seconds_bucket",
		"archway_upstream_connect_failures_total", "archway_upstream_resets_total", "archway_upstream_timeouts_total",
		"archway_upstream_retries_total", "archway_upstream_retry_budget_exhausted_total",
		"archway_circuit_breaker_overflows_total", "archway_outlier_ejections_total", "archway_outlier_ejected_endpoints",
		"archway_auth_failures_total", "archway_ratelimit_limited_total", "archway_cache_hits_total", "archway_cache_misses_total",
		"archway_connections_active", "archway_config_version", "archway_config_apply_duration_seconds",
		"archway_access_log_dropped_total", "archway_trace_spans_dropped_total",
	} {
		if !used[m] {
			t.Errorf("no panel queries %s", m)
		}
	}
}

// TestDashboardMetricsAreDocumented: every metric the dashboard queries is
// named (in backticks) in docs/observability.md; a histogram's _bucket,
// _sum and _count series count as its family's name.
func TestDashboardMetricsAreDocumented(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "observability.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(body)
	for _, heading := range []string{"# Observability: metrics, traces, dashboards\n", "\n## Dashboards\n"} {
		if !strings.Contains(text, heading) {
			t.Errorf("docs/observability.md lacks the heading %q", strings.TrimSpace(heading))
		}
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`(archway_[a-zA-Z0-9_:]+)").FindAllStringSubmatch(text, -1) {
		documented[m[1]] = true
	}
	used := map[string]bool{}
	for _, e := range loadDashboard(t).expressions() {
		for _, m := range metricName.FindAllString(e, -1) {
			used[m] = true
		}
	}
	if len(used) < 20 {
		t.Fatalf("only %d metric names in the dashboard's expressions; the extraction is broken", len(used))
	}
	for m := range used {
		family := m
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f, ok := strings.CutSuffix(m, suffix); ok && documented[f] {
				family = f
			}
		}
		if !documented[family] {
			t.Errorf("the dashboard queries %s, which docs/observability.md does not name", m)
		}
	}
}

func TestPodMonitorScrapesTheProxyAdminPort(t *testing.T) {
	docs := documents(render(t, "metrics.podMonitor.enabled=true", "metrics.podMonitor.interval=15s",
		"metrics.podMonitor.labels.release=prometheus", "proxy.ports.admin=9911"))
	pm, ok := docs["templates/podmonitor.yaml"]
	if !ok {
		t.Fatal("no templates/podmonitor.yaml in the render")
	}
	endpoints, ok := block(pm, "podMetricsEndpoints:")
	if !ok {
		t.Fatalf("PodMonitor has no podMetricsEndpoints:\n%s", pm)
	}
	want := "- port: admin\n  path: /metrics\n  interval: 15s\n  scrapeTimeout: 10s"
	if strings.TrimSpace(endpoints) != want {
		t.Errorf("podMetricsEndpoints:\n%s\nwant:\n%s", endpoints, want)
	}
	for _, line := range []string{"kind: PodMonitor", "apiVersion: monitoring.coreos.com/v1", "    release: prometheus",
		"      app.kubernetes.io/name: archway", "      app.kubernetes.io/instance: archway", "      - " + namespace} {
		if !slices.Contains(strings.Split(pm, "\n"), line) {
			t.Errorf("PodMonitor lacks the line %q:\n%s", line, pm)
		}
	}
	// The port named admin is the proxy container's, on proxy.ports.admin.
	deploy := docs["templates/deployment.yaml"]
	_, proxy, ok := strings.Cut(deploy, "\n        - name: proxy\n")
	if !ok {
		t.Fatalf("no proxy container in the Deployment:\n%s", deploy)
	}
	ports, ok := block(proxy, "ports:")
	if !ok || !strings.Contains(ports, "- name: admin\n  containerPort: 9911\n  protocol: TCP") {
		t.Errorf("the proxy container declares no port admin on 9911:\n%s", ports)
	}
	if !strings.Contains(proxy, "- --admin-port\n            - \"9911\"") {
		t.Errorf("the proxy's --admin-port is not 9911:\n%.1500s", proxy)
	}
	if _, ok := docs["templates/metrics-service.yaml"]; ok {
		t.Error("a PodMonitor alone renders the -metrics Service; it needs none")
	}
}
