package proxye2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/jaeger"
	"archway.dev/e2e/internal/procs"
)

// Distributed tracing (docs/observability.md "Tracing") against a real
// Jaeger: the proxy exports OTLP/HTTP JSON to Jaeger's OTLP receiver and
// the tests read the traces back through Jaeger's query API.

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// traceProxy runs a proxy exporting to `endpoint` with `ratio`, a short
// batch interval (the tests wait for Jaeger, not for the default 2s).
func traceProxy(t *testing.T, endpoint, ratio string, snap Snapshot) *Proxy {
	t.Helper()
	return startProxy(t, snap, ProxyOptions{Args: []string{
		"--otlp-endpoint", endpoint, "--trace-sampling-ratio", ratio,
		"--trace-service-name", "archway-e2e", "--trace-batch-interval", "100ms",
		"--trace-export-timeout", "1s"}})
}

func traceSnapshot(good, dead *Backend) Snapshot {
	retries := &Retries{Attempts: 2, RetryOn: []string{"connect-failure"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "10ms"}}
	retried := clusterOf("retried", "HTTP", dead, good)
	// Turns: the first attempt of each request alternates between the two.
	retried.LoadBalancer = &LoadBalancer{Policy: "RoundRobin"}
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "t", Domains: []string{"trace.test"}, Routes: []Route{
			to("app", Match{Path: prefix("/app")}, "app"),
			retryRoute("retry", "retried", retries, nil),
		}}},
		Clusters: []Cluster{clusterOf("app", "HTTP", good), retried},
	}
}

// backendParent is the traceparent the backend received, split.
func backendParent(t *testing.T, e Echo) (trace, parent, flags string) {
	t.Helper()
	tp := e.Header("traceparent")
	if len(tp) != 1 {
		t.Fatalf("backend got traceparent %q, want one", tp)
	}
	parts := strings.Split(tp[0], "-")
	if len(parts) != 4 || len(parts[1]) != 32 || len(parts[2]) != 16 {
		t.Fatalf("backend got traceparent %q", tp[0])
	}
	return parts[1], parts[2], parts[3]
}

func spansOfKind(tr *jaeger.Trace, kind string) []jaeger.Span {
	var out []jaeger.Span
	for _, s := range tr.Spans {
		if s.Tag("span.kind") == kind {
			out = append(out, s)
		}
	}
	return out
}

func wantTags(t *testing.T, what string, s jaeger.Span, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := s.Tag(k); got != v {
			t.Errorf("%s: tag %s = %q, want %q", what, k, got, v)
		}
	}
}

// TestTracingSampledRequest: a request with a sampled traceparent gives a
// SERVER span whose parent is the caller's span and a CLIENT span under
// it, whose id the backend received as parent-id; tracestate goes through
// untouched; the attributes follow the HTTP semantic conventions.
func TestTracingSampledRequest(t *testing.T) {
	j := jaeger.Start(t)
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	p := traceProxy(t, j.OTLPURL, "0", traceSnapshot(good, dead))
	dead.Kill()
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			version := map[string]string{"http1": "1.1", "h2c": "2"}[cl.name]
			checkSampledRequest(t, j, p, cl.c, good, version)
		})
	}
	// Counted once the collector's answer is read: just after Jaeger has them.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v := metricValue(scrape(t, p.AdminPort), "archway_trace_spans_exported_total")
		if v >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("archway_trace_spans_exported_total = %v, want ≥ 4", v)
			break
		}
	}
}

// checkSampledRequest sends one request with a sampled traceparent and
// checks its two spans in Jaeger and what the backend received.
func checkSampledRequest(t *testing.T, j *jaeger.Server, p *Proxy, c *http.Client, good *Backend, version string) {
	t.Helper()
	trace, caller := randomHex(t, 16), randomHex(t, 8)
	hdr := http.Header{"Traceparent": {"00-" + trace + "-" + caller + "-01"}, "Tracestate": {"vendor=opaque"}}
	e := getEcho(t, c, "GET", p.URL("/app/orders?id=7"), "trace.test", hdr, nil)
	gotTrace, gotParent, flags := backendParent(t, e)
	if gotTrace != trace || flags != "01" {
		t.Errorf("backend got trace %s flags %s, want %s 01", gotTrace, flags, trace)
	}
	if ts := e.Header("tracestate"); len(ts) != 1 || ts[0] != "vendor=opaque" {
		t.Errorf("backend got tracestate %q, want it unchanged", ts)
	}

	tr := j.WaitSpans(t, trace, 2, 15*time.Second)
	servers, clients := spansOfKind(tr, "server"), spansOfKind(tr, "client")
	if len(servers) != 1 || len(clients) != 1 {
		t.Fatalf("%d server and %d client spans, want 1 and 1", len(servers), len(clients))
	}
	server, client := servers[0], clients[0]
	t.Logf("server span %s %q %v\nclient span %s %q %v", server.SpanID, server.OperationName, server.Tags,
		client.SpanID, client.OperationName, client.Tags)
	if server.Parent() != caller {
		t.Errorf("server span's parent %q, want the caller's %s", server.Parent(), caller)
	}
	if client.Parent() != server.SpanID {
		t.Errorf("client span's parent %q, want the server span %s", client.Parent(), server.SpanID)
	}
	if gotParent != client.SpanID {
		t.Errorf("backend got parent-id %s, want the client span %s", gotParent, client.SpanID)
	}
	if server.OperationName != "GET e2e/app" || client.OperationName != "GET" {
		t.Errorf("span names %q and %q, want \"GET e2e/app\" and \"GET\"", server.OperationName, client.OperationName)
	}
	wantTags(t, "server span", server, map[string]string{
		"http.request.method": "GET", "url.path": "/app/orders", "url.scheme": "http",
		"server.address": "trace.test", "client.address": "127.0.0.1",
		"network.protocol.version": version, "http.response.status_code": "200",
		"archway.route": "e2e/app", "archway.rule": "app",
	})
	wantTags(t, "client span", client, map[string]string{
		"server.address": "127.0.0.1", "server.port": strconv.Itoa(good.Port),
		"archway.cluster": "app", "http.response.status_code": "200",
	})
	if client.HasTag("http.request.resend_count") || server.HasTag("error") {
		t.Errorf("a first attempt has no resend_count, a 200 no error: %+v %+v", client.Tags, server.Tags)
	}
	if proc := tr.Processes[server.ProcessID]; proc.ServiceName != "archway-e2e" {
		t.Errorf("service.name %q, want archway-e2e (--trace-service-name)", proc.ServiceName)
	}
}

// TestTracingRetriedRequest: the first endpoint refuses connections; a
// request whose first attempt lands there has two CLIENT spans under its
// server span, the failed one with error.type connect-failure, the second
// with http.request.resend_count 1; the backend got the second's id.
func TestTracingRetriedRequest(t *testing.T) {
	j := jaeger.Start(t)
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	p := traceProxy(t, j.OTLPURL, "0", traceSnapshot(good, dead))
	dead.Kill()
	c := h1Client()

	// Round robin alternates every pick (retries' too): of two requests in
	// a row, at least one starts on the dead endpoint.
	retried := 0
	for i := 0; i < 2; i++ {
		trace := randomHex(t, 16)
		hdr := http.Header{"Traceparent": {"00-" + trace + "-" + randomHex(t, 8) + "-01"}}
		e := getEcho(t, c, "GET", p.URL("/retry"), "trace.test", hdr, nil)
		_, gotParent, _ := backendParent(t, e)
		j.WaitSpans(t, trace, 2, 15*time.Second)
		time.Sleep(300 * time.Millisecond) // a third span: a later batch at most
		tr := j.Get(t, trace)
		clients := spansOfKind(tr, "client")
		if len(clients) == 1 {
			continue
		}
		retried++
		if len(clients) != 2 {
			t.Fatalf("%d client spans, want 1 or 2", len(clients))
		}
		servers := spansOfKind(tr, "server")
		if len(servers) != 1 {
			t.Fatalf("%d server spans, want 1", len(servers))
		}
		server := servers[0]
		var failed, resent *jaeger.Span
		for i := range clients {
			if clients[i].Parent() != server.SpanID {
				t.Errorf("client span %s's parent %s, want the server span %s", clients[i].SpanID, clients[i].Parent(), server.SpanID)
			}
			if clients[i].HasTag("http.request.resend_count") {
				resent = &clients[i]
			} else {
				failed = &clients[i]
			}
		}
		if failed == nil || resent == nil {
			t.Fatalf("want one first attempt and one resend: %+v", clients)
		}
		wantTags(t, "failed attempt", *failed, map[string]string{
			"error.type": "connect-failure", "server.port": strconv.Itoa(dead.Port),
			"archway.cluster": "retried", "error": "true",
		})
		wantTags(t, "second attempt", *resent, map[string]string{
			"http.request.resend_count": "1", "server.port": strconv.Itoa(good.Port),
			"http.response.status_code": "200",
		})
		if gotParent != resent.SpanID {
			t.Errorf("backend got parent-id %s, want the second attempt's %s", gotParent, resent.SpanID)
		}
	}
	t.Logf("%d of 2 requests were retried", retried)
	if retried == 0 {
		t.Errorf("neither request was retried (round robin over a dead and a good endpoint)")
	}
}

// TestTracingSamplingDecisions: the caller's flags 00 win over ratio 1 and
// nothing is exported, the traceparent forwarded as it came; with no
// traceparent, ratio 0 exports nothing (the backend gets a new trace with
// flags 00) and ratio 1 exports a root server span (flags 01). A local
// answer (404, no route) has a server span and no client span.
func TestTracingSamplingDecisions(t *testing.T) {
	j := jaeger.Start(t)
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	none := traceProxy(t, j.OTLPURL, "0", traceSnapshot(good, dead))
	all := traceProxy(t, j.OTLPURL, "1", traceSnapshot(good, dead))
	c := h1Client()

	unsampled := "00-" + randomHex(t, 16) + "-" + randomHex(t, 8) + "-00"
	e := getEcho(t, c, "GET", all.URL("/app"), "trace.test", http.Header{"Traceparent": {unsampled}}, nil)
	if tp := e.Header("traceparent"); len(tp) != 1 || tp[0] != unsampled {
		t.Errorf("unsampled: backend got %q, want %s unchanged", tp, unsampled)
	}
	e = getEcho(t, c, "GET", none.URL("/app"), "trace.test", nil, nil)
	ratio0Trace, _, flags := backendParent(t, e)
	if flags != "00" {
		t.Errorf("ratio 0, no traceparent: backend got flags %s, want 00", flags)
	}
	e = getEcho(t, c, "GET", all.URL("/app"), "trace.test", nil, nil)
	ratio1Trace, _, flags := backendParent(t, e)
	if flags != "01" {
		t.Errorf("ratio 1, no traceparent: backend got flags %s, want 01", flags)
	}
	local := randomHex(t, 16)
	resp, _ := do(t, c, "GET", all.URL("/nowhere"), "trace.test",
		http.Header{"Traceparent": {"00-" + local + "-" + randomHex(t, 8) + "-01"}}, nil)
	if resp.StatusCode != 404 {
		t.Fatalf("no route: %d, want 404", resp.StatusCode)
	}

	tr := j.WaitSpans(t, ratio1Trace, 2, 15*time.Second)
	if s := spansOfKind(tr, "server"); len(s) != 1 || s[0].Parent() != "" {
		t.Errorf("ratio 1, no traceparent: want one root server span, got %+v", s)
	}
	lt := j.WaitSpans(t, local, 1, 15*time.Second)
	if len(lt.Spans) != 1 || lt.Spans[0].Tag("span.kind") != "server" {
		t.Errorf("local 404: spans %+v, want one server span", lt.Spans)
	}
	wantTags(t, "local 404", lt.Spans[0], map[string]string{"http.response.status_code": "404"})
	if lt.Spans[0].HasTag("error") {
		t.Errorf("a 404 is not a server span error")
	}
	// Both proxies have flushed batches after these; give a straggler one
	// more interval, then the unsampled traces must be absent.
	time.Sleep(500 * time.Millisecond)
	for name, id := range map[string]string{"flags 00": strings.Split(unsampled, "-")[1], "ratio 0": ratio0Trace} {
		if tr := j.Get(t, id); tr != nil {
			t.Errorf("%s: Jaeger has %d spans of trace %s, want none", name, len(tr.Spans), id)
		}
	}
	if v := metricValue(scrape(t, none.AdminPort), "archway_trace_spans_exported_total"); v != 0 {
		t.Errorf("ratio 0 proxy exported %v spans, want 0", v)
	}
}

// TestTracingDeadCollector: an exporter pointed at a port nobody listens
// on drops its batches and counts them; requests are not hurt.
func TestTracingDeadCollector(t *testing.T) {
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	endpoint := fmt.Sprintf("http://127.0.0.1:%d/v1/traces", procs.FreeLoopbackPort(t))
	p := traceProxy(t, endpoint, "1", traceSnapshot(good, dead))
	c := h1Client()
	start := time.Now()
	for i := 0; i < 50; i++ {
		if e := getEcho(t, c, "GET", p.URL("/app"), "trace.test", nil, nil); e.Name != "good" {
			t.Fatalf("request %d answered by %q", i, e.Name)
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("50 requests took %v with a dead collector", took)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrape(t, p.AdminPort)
		failures := metricValue(m, "archway_trace_export_failures_total")
		dropped := metricValue(m, `archway_trace_spans_dropped_total{reason="export_failed"}`)
		if failures >= 1 && dropped >= 1 {
			if v := metricValue(m, "archway_trace_spans_exported_total"); v != 0 {
				t.Errorf("exported %v spans to a dead port", v)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: failures %v, dropped %v, want ≥ 1 each\n%s", failures, dropped, grepLines(m, "trace"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
