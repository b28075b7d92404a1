package proxye2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestUpstreamMetricsPerCluster: archway_upstream_* count each attempt
// once, by the cluster it went to, against real backends — answers by
// status code (HTTP/1.1 and h2c clusters), connect failures to an endpoint
// that refuses, a backendRequest timeout, the head-time histogram, and
// connections open now; and archway_request_duration_seconds is by route.
func TestUpstreamMetricsPerCluster(t *testing.T) {
	b, dead := startBackend(t, "up"), startBackend(t, "up-dead")
	slow := to("slow", Match{Path: prefix("/slow")}, "um-h1")
	slow.Timeouts = &Timeouts{Request: "5s", BackendRequest: "200ms"}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "um", Domains: []string{"um.test"}, Routes: []Route{
			slow,
			to("h1", Match{Path: prefix("/h1")}, "um-h1"),
			to("h2c", Match{Path: prefix("/h2c")}, "um-h2c"),
			to("dead", Match{Path: prefix("/dead")}, "um-dead"),
		}}},
		Clusters: []Cluster{clusterOf("um-h1", "HTTP", b), clusterOf("um-h2c", "H2C", b),
			clusterOf("um-dead", "HTTP", dead)},
	}
	p := startProxy(t, snap, ProxyOptions{})
	dead.Kill()

	c := h1Client()
	send := func(n int, path string, hdr http.Header, want int) {
		t.Helper()
		for i := 0; i < n; i++ {
			resp, body := do(t, c, "GET", p.URL(path), "um.test", hdr, nil)
			if resp.StatusCode != want {
				t.Fatalf("GET %s: status %d, want %d; body %q", path, resp.StatusCode, want, trunc(body))
			}
		}
	}
	// The timeout first: its backend connection is closed, the next
	// request opens another that stays.
	send(1, "/slow", http.Header{"X-Echo-Sleep": {"1s"}}, 504)
	send(12, "/h1", nil, 200)
	send(2, "/h1", http.Header{"X-Echo-Status": {"503"}}, 503)
	send(5, "/h2c", nil, 200)
	send(3, "/dead", nil, 502)

	m := scrape(t, p.AdminPort)
	for _, want := range []struct {
		series string
		value  float64
	}{
		{`archway_upstream_requests_total{cluster="um-h1",code="200"}`, 12},
		{`archway_upstream_requests_total{cluster="um-h1",code="503"}`, 2},
		{`archway_upstream_requests_total{cluster="um-h2c",code="200"}`, 5},
		{`archway_upstream_connect_failures_total{cluster="um-dead"}`, 3},
		{`archway_upstream_connect_failures_total{cluster="um-h1"}`, 0},
		{`archway_upstream_timeouts_total{cluster="um-h1"}`, 1},
		{`archway_upstream_resets_total{cluster="um-h1"}`, 0},
		// Answers only: the time to the head of each of the 14 + 5.
		{`archway_upstream_request_duration_seconds_count{cluster="um-h1"}`, 14},
		{`archway_upstream_request_duration_seconds_count{cluster="um-h2c"}`, 5},
		{`archway_request_duration_seconds_count{route="e2e/h1"}`, 14},
		{`archway_request_duration_seconds_count{route="e2e/slow"}`, 1},
		// The client's keep-alive connection reused one backend connection
		// of each cluster (um-h1: the one after the timeout's, which was
		// closed); the refused ones are gone.
		{`archway_upstream_connections_active{cluster="um-h1"}`, 1},
		{`archway_upstream_connections_active{cluster="um-h2c"}`, 1},
		{`archway_upstream_connections_active{cluster="um-dead"}`, 0},
	} {
		if v := metricValue(m, want.series); v != want.value {
			t.Errorf("%s = %v, want %v\n%s", want.series, v, want.value, grepLines(m, "upstream"))
		}
	}
	// The slow request's head never came: it is not in the histogram, and
	// the 200 ms backendRequest bounded the one that did not answer.
	if v := metricValue(m, `archway_request_duration_seconds_bucket{route="e2e/slow",le="0.25"}`); v != 1 {
		t.Errorf("the 504 took longer than its 200 ms backendRequest: bucket le=0.25 = %v", v)
	}
}

// TestMetricsExemplarsInOpenMetrics: a scrape that asks for OpenMetrics
// gets it (content type, counters without _total in TYPE, # EOF), with the
// trace id of a sampled request as its duration bucket's exemplar; a real
// Prometheus with exemplar storage reads it back; the Prometheus text
// format has none.
func TestMetricsExemplarsInOpenMetrics(t *testing.T) {
	prometheus, _ := promBinaries(t)
	b := startBackend(t, "ex")
	p := startProxy(t, catchAll(clusterOf("ex", "HTTP", b)), ProxyOptions{})
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	c := h1Client()
	resp, _ := do(t, c, "GET", p.URL("/sampled"), "any.test",
		http.Header{"Traceparent": {"00-" + trace + "-00f067aa0ba902b7-01"}}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	const unsampled = "0af7651916cd43dd8448eb211c80319c"
	resp, _ = do(t, c, "GET", p.URL("/unsampled"), "any.test",
		http.Header{"Traceparent": {"00-" + unsampled + "-b7ad6b7169203331-00"}}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}

	if text := scrape(t, p.AdminPort); strings.Contains(text, "trace_id") {
		t.Errorf("the Prometheus text format carries exemplars:\n%s", grepLines(text, "trace_id"))
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/metrics", p.AdminPort), nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	om, err := plainClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(om.Body)
	om.Body.Close()
	text := string(body)
	if ct := om.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("Content-Type %q, want application/openmetrics-text", ct)
	}
	if !strings.HasSuffix(text, "# EOF\n") || !strings.Contains(text, "# TYPE archway_requests counter\n") ||
		!strings.Contains(text, "\narchway_requests_total{") {
		t.Errorf("not OpenMetrics (TYPE without _total, samples with it, # EOF):\n%s", trunc(body))
	}
	if !strings.Contains(text, `# {trace_id="`+trace+`"}`) || strings.Contains(text, unsampled) {
		t.Errorf("exemplars: want the sampled trace only\n%s", grepLines(text, "trace_id"))
	}

	// A real Prometheus (exemplar storage on) scrapes OpenMetrics and
	// answers the exemplar query with the trace id.
	base := startPrometheusWith(t, prometheus, fmt.Sprintf("127.0.0.1:%d", p.AdminPort), "--enable-feature=exemplar-storage")
	found := false
	for deadline := time.Now().Add(30 * time.Second); !found && time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		now := time.Now()
		q := url.Values{"query": {"archway_request_duration_seconds_bucket"},
			"start": {fmt.Sprint(now.Add(-time.Hour).Unix())}, "end": {fmt.Sprint(now.Add(time.Minute).Unix())}}
		r, err := plainClient.Get(base + "/api/v1/query_exemplars?" + q.Encode())
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		found = strings.Contains(string(b), trace)
	}
	if !found {
		t.Errorf("Prometheus' /api/v1/query_exemplars has no exemplar with trace id %s after 30 s", trace)
	}
}
