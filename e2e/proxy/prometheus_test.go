package proxye2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/procs"
)

// The proxy's /metrics as a real Prometheus (Debian's prometheus package,
// which `make test` installs) sees it: promtool finds no problem in the
// text, a scrape every second stores what was sent, and every PromQL
// expression of the chart's Grafana dashboard (docs/observability.md
// "Dashboards") is accepted by the query engine.

// promBinaries returns prometheus and promtool, skipping the test when
// prometheus is not installed.
func promBinaries(t *testing.T) (prometheus, promtool string) {
	t.Helper()
	prometheus, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not on PATH: install Debian's prometheus package (scripts/install-deps.sh, run by make test, does)")
	}
	promtool, err = exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("prometheus is on PATH but promtool is not (both come with Debian's prometheus package): %v", err)
	}
	return prometheus, promtool
}

// promQueryResult is one series of an instant query's vector.
type promQueryResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"` // [unix time, "value"]
}

func (r promQueryResult) number() float64 {
	s, _ := r.Value[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// promQuery runs an instant query through the HTTP API (/api/v1/query).
func promQuery(base, query string) ([]promQueryResult, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := c.Get(base + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string            `json:"resultType"`
			Result     []promQueryResult `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %q: HTTP %d, body not JSON: %v", query, resp.StatusCode, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %q: %s: %s", query, body.ErrorType, body.Error)
	}
	if body.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: result type %q, want vector", query, body.Data.ResultType)
	}
	return body.Data.Result, nil
}

// promScalar runs a query whose answer is one series and returns its value
// (NaN when the vector is empty).
func promScalar(base, query string) (float64, error) {
	res, err := promQuery(base, query)
	if err != nil {
		return 0, err
	}
	switch len(res) {
	case 0:
		return math.NaN(), nil
	case 1:
		return res[0].number(), nil
	}
	return 0, fmt.Errorf("query %q: %d series, want 1: %v", query, len(res), res)
}

// startPrometheus runs prometheus on a free loopback port with its TSDB in
// a temporary folder, scraping target's /metrics every second, and returns
// the base URL of its HTTP API once /-/ready answers 200.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	return startPrometheusWith(t, bin, target)
}

// startPrometheusWith is startPrometheus with more command-line flags.
func startPrometheusWith(t *testing.T, bin, target string, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: archway
    metrics_path: /metrics
    static_configs:
      - targets: ["%s"]
`, target)), 0o600); err != nil {
		t.Fatal(err)
	}
	listen := fmt.Sprintf("127.0.0.1:%d", procs.FreeLoopbackPort(t))
	logPath := filepath.Join(dir, "prometheus.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{
		"--config.file=" + config,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + listen,
		"--storage.tsdb.retention.time=1h",
		"--log.level=warn"}, flags...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := spawn(cmd); err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		stop(cmd, done, 5*time.Second)
		if t.Failed() {
			t.Logf("prometheus log (tail):\n%s", tail(logPath, 4000))
		}
	})
	base := "http://" + listen
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		select {
		case <-done:
			t.Fatalf("prometheus exited before it was ready: %v\n%s", cmd.ProcessState, tail(logPath, 4000))
		default:
		}
		resp, err := plainClient.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready within 30s (last: %v)\n%s", err, tail(logPath, 4000))
		}
	}
}

// promEventually polls query every 200 ms until its single value satisfies
// ok, for up to 30 s, and returns the last value seen.
func promEventually(t *testing.T, base, query string, ok func(float64) bool) float64 {
	t.Helper()
	var v float64
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if v, err = promScalar(base, query); err == nil && ok(v) {
			return v
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPrometheusScrapesTheProxy(t *testing.T) {
	prometheus, promtool := promBinaries(t)
	b := startBackend(t, "prom")
	// A second route with retries and a circuit breaker, so that their
	// families are rendered with samples for promtool too.
	guarded := to("guarded", Match{Path: prefix("/guarded")}, "prom-guarded")
	guarded.Policies = &Policies{
		Retries:        &Retries{Attempts: 2, RetryOn: []string{"connect-failure", "gateway-error"}},
		CircuitBreaker: &CircuitBreaker{MaxRequests: intp(100), Consecutive5xx: intp(5)},
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "prom", Domains: []string{"prom.test"}, Routes: []Route{
			to("api", Match{Path: prefix("/api")}, "prom"), guarded,
		}}},
		Clusters: []Cluster{clusterOf("prom", "HTTP", b), clusterOf("prom-guarded", "HTTP", b)},
	}
	p := startProxy(t, snap, ProxyOptions{})

	// A known mix: fast 200s, slow 200s (300 ms at the backend), 404s from
	// the backend on the route, and 404s for paths no route matches.
	const fast, slow, backend404, noRoute, viaGuarded, retried = 30, 10, 7, 5, 3, 1
	const route = "e2e/api" // the route's RouteName (to() in snapshot_test.go)
	c := h1Client()
	send := func(n int, path string, hdr http.Header, want int) {
		for i := 0; i < n; i++ {
			resp, body := do(t, c, "GET", p.URL(path), "prom.test", hdr, nil)
			if resp.StatusCode != want {
				t.Fatalf("GET %s: status %d, want %d; body %q", path, resp.StatusCode, want, trunc(body))
			}
		}
	}
	send(fast, "/api/fast", nil, 200)
	send(slow, "/api/slow", http.Header{"X-Echo-Sleep": {"300ms"}}, 200)
	send(backend404, "/api/missing", http.Header{"X-Echo-Status": {"404"}}, 404)
	send(noRoute, "/elsewhere", nil, 404)
	send(viaGuarded, "/guarded", nil, 200)
	// 502 twice: one retry (gateway-error), then the 502 goes to the client.
	send(retried, "/guarded", http.Header{"X-Echo-Status": {"502"}}, 502)
	const total = fast + slow + backend404 + noRoute + viaGuarded + retried

	// (a) promtool finds no problem in what the proxy renders.
	text := scrape(t, p.AdminPort)
	if v := metricValue(text, fmt.Sprintf(`archway_requests_total{route=%q,rule="api",code="200"}`, route)); v != fast+slow {
		t.Fatalf("/metrics: %s 200s = %v, want %d\n%s", route, v, fast+slow, grepLines(text, "archway_requests_total"))
	}
	for _, family := range []string{"archway_request_duration_seconds_bucket", "archway_upstream_retries_total{",
		"archway_circuit_breaker_overflows_total{", "archway_outlier_ejected_endpoints{"} {
		if !strings.Contains(text, "\n"+family) {
			t.Errorf("/metrics has no sample of %s, so promtool does not check it", family)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	check := exec.CommandContext(ctx, promtool, "check", "metrics")
	check.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	check.Stdout, check.Stderr = &out, &out
	if err := check.Run(); err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}

	// (b) a real Prometheus scrapes the admin port and answers queries.
	base := startPrometheus(t, prometheus, fmt.Sprintf("127.0.0.1:%d", p.AdminPort))
	if got := promEventually(t, base, `sum(archway_requests_total)`, func(v float64) bool { return v == total }); got != total {
		t.Fatalf("sum(archway_requests_total) = %v after 30 s, want %d (every request sent, none from scrapes)", got, total)
	}
	if up, err := promScalar(base, `up{job="archway"}`); err != nil || up != 1 {
		t.Errorf(`up{job="archway"} = %v (%v), want 1`, up, err)
	}
	for _, q := range []struct {
		query string
		want  float64
	}{
		{fmt.Sprintf(`sum(archway_requests_total{route=%q,code="200"})`, route), fast + slow},
		{fmt.Sprintf(`sum(archway_requests_total{route=%q,code="404"})`, route), backend404},
		{`sum(archway_requests_total{route="",code="404"})`, noRoute},
		{`sum(archway_request_duration_seconds_count)`, total},
		{`sum(archway_request_duration_seconds_bucket{le="+Inf"})`, total},
	} {
		if v, err := promScalar(base, q.query); err != nil || v != q.want {
			t.Errorf("%s = %v (%v), want %v", q.query, v, err, q.want)
		}
	}
	// Quantiles over the whole histogram (sum by le: with or without a
	// route label). 10 of 56 requests took ≥ 300 ms, in the (0.25, 0.5]
	// bucket: the 95th percentile (rank 53.2) lies there, the median
	// (rank 28) among the fast ones below 0.25 s.
	quantile := func(q string) float64 {
		v, err := promScalar(base, `histogram_quantile(`+q+`, sum by (le) (archway_request_duration_seconds_bucket))`)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if p95 := quantile("0.95"); !(p95 > 0.25 && p95 <= 0.5) {
		t.Errorf("histogram_quantile(0.95) = %v s, want in (0.25, 0.5]: %d of %d requests slept 300 ms", p95, slow, total)
	}
	if p50 := quantile("0.5"); !(p50 > 0 && p50 <= 0.25) {
		t.Errorf("histogram_quantile(0.5) = %v s, want in (0, 0.25]", p50)
	}
	if sum, err := promScalar(base, `sum(archway_request_duration_seconds_sum)`); err != nil || sum < slow*0.3 {
		t.Errorf("sum(archway_request_duration_seconds_sum) = %v (%v), want ≥ %v", sum, err, slow*0.3)
	}

	// Every expression of the Grafana dashboard parses and runs, with the
	// dashboard's variables filled in as Grafana does for "All".
	exprs := dashboardExpressions(t)
	if len(exprs) < 20 {
		t.Fatalf("%d expressions in the dashboard; the extraction is broken", len(exprs))
	}
	vars := strings.NewReplacer("$__rate_interval", "1m", "$route", ".*", "$cluster", ".*")
	for _, e := range exprs {
		if _, err := promQuery(base, vars.Replace(e)); err != nil {
			t.Errorf("dashboard expression: %v", err)
		}
	}
	// Its "Request rate by route and code class" shows the route's 2xx once
	// two scrapes are in the window.
	rateByClass := `sum by (route, code_class) (label_replace(rate(archway_requests_total{route=~".*"}[1m]), "code_class", "${1}xx", "code", "([0-9]).."))`
	found := false
	for deadline := time.Now().Add(15 * time.Second); !found && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		res, err := promQuery(base, rateByClass)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			found = found || (r.Metric["route"] == route && r.Metric["code_class"] == "2xx")
		}
	}
	if !found {
		t.Errorf("the dashboard's request rate by code class has no series route=%q code_class=\"2xx\"", route)
	}
}

// dashboardExpressions returns the PromQL of every panel target and query
// variable of helm/archway/dashboards/archway.json.
func dashboardExpressions(t *testing.T) []string {
	t.Helper()
	path := filepath.Join("..", "..", "helm", "archway", "dashboards", "archway.json")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(body, &dash); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	// label_values(METRIC, LABEL) is Grafana's, not PromQL: its metric is
	// queried instead.
	labelValues := regexp.MustCompile(`^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		// A string, or (Grafana 10) {"query": "...", "refId": "..."}.
		s, _ := v.Query.(string)
		if q, ok := v.Query.(map[string]any); ok {
			s, _ = q["query"].(string)
		}
		m := labelValues.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("dashboard variable query %q is not label_values(METRIC, LABEL)", s)
		}
		exprs = append(exprs, m[1])
	}
	return exprs
}
