package proxye2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// accessLine is one line of the access log (docs/proxy.md "Access log").
type accessLine struct {
	Time       string   `json:"time"`
	Method     string   `json:"method"`
	Authority  string   `json:"authority"`
	Path       string   `json:"path"`
	Protocol   string   `json:"protocol"`
	Status     int      `json:"status"`
	BytesIn    int64    `json:"bytes_in"`
	BytesOut   int64    `json:"bytes_out"`
	DurationMS *float64 `json:"duration_ms"`
	Upstream   *string  `json:"upstream"`
	UpstreamMS *float64 `json:"upstream_ms"`
	Route      string   `json:"route"`
	Rule       string   `json:"rule"`
	ClientIP   string   `json:"client_ip"`
	Identity   *string  `json:"identity"`
	TraceID    string   `json:"trace_id"`
	RequestID  string   `json:"request_id"`
}

// accessLines reads the JSON lines of path (other lines, such as the
// proxy's own log on the same stream, are skipped).
func accessLines(t *testing.T, path string) map[string]accessLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]accessLine{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), `{"time":`) {
			continue
		}
		var l accessLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("access log line is not JSON (%v): %s", err, sc.Text())
		}
		out[l.TraceID] = l
	}
	return out
}

// traceFor makes a distinct, valid W3C trace id per case.
func traceFor(i int) string { return fmt.Sprintf("%032x", 0xa11ce000+i) }

func traceparent(trace string) http.Header {
	return http.Header{"Traceparent": {"00-" + trace + "-00f067aa0ba902b7-01"}}
}

// TestAccessLog sends requests through HTTP/1.1 and h2c (forwarded, no
// route, direct response, a body, a malformed HTTP/1.1 head) and checks
// each one's line: status, route and rule, the trace id sent, sizes,
// upstream. The default destination is stdout; with --access-log off there
// are no lines.
func TestAccessLog(t *testing.T) {
	b := startBackend(t, "logged")
	api := to("api", Match{Path: prefix("/api")}, "logged")
	direct := Route{Name: "direct", RouteName: "e2e/direct", RuleName: "direct",
		Matches: []Match{{Path: exact("/direct")}}, DirectResponse: &DirectResponse{Status: 203, Body: "hi"}}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "logged", Domains: []string{"logged.test"}, Routes: []Route{api, direct}}},
		Clusters:     []Cluster{clusterOf("logged", "HTTP", b)},
	}
	p := startProxy(t, snap, ProxyOptions{}) // default: --access-log stdout
	off := startProxy(t, snap, ProxyOptions{Args: []string{"--access-log", "off"}})

	type want struct {
		method, path string
		status       int
		route, rule  string
		upstream     bool
		bytesIn      int64
		bytesOut     int64 // -1: any positive count
	}
	cases := []struct {
		name string
		path string
		body string
		want want
	}{
		{"forwarded", "/api/orders?id=7", "", want{"GET", "/api/orders?id=7", 200, "e2e/api", "api", true, 0, -1}},
		{"body", "/api/upload", "hello", want{"POST", "/api/upload", 200, "e2e/api", "api", true, 5, -1}},
		{"no route", "/nowhere", "", want{"GET", "/nowhere", 404, "", "", false, 0, -1}},
		{"direct", "/direct", "", want{"GET", "/direct", 203, "e2e/direct", "direct", false, 0, 2}},
	}
	sent := map[string]want{}
	protocol := map[string]string{}
	n := 0
	for _, cl := range clients() {
		for _, c := range cases {
			n++
			trace := traceFor(n)
			method, body := "GET", io.Reader(nil)
			if c.body != "" {
				method, body = "POST", strings.NewReader(c.body)
			}
			resp, _ := do(t, cl.c, method, p.URL(c.path), "logged.test", traceparent(trace), body)
			if resp.StatusCode != c.want.status {
				t.Fatalf("%s/%s: status %d, want %d", cl.name, c.name, resp.StatusCode, c.want.status)
			}
			sent[trace] = c.want
			protocol[trace] = map[string]string{"http1": "HTTP/1.1", "h2c": "HTTP/2"}[cl.name]
			do(t, cl.c, method, off.URL(c.path), "logged.test", traceparent(trace), strings.NewReader(c.body))
		}
	}
	// A head that parses as far as its method, target and traceparent, then
	// fails validation: 400 from the codec, still logged.
	n++
	badTrace := traceFor(n)
	raw := "GET /bad HTTP/1.1\r\nHost: logged.test\r\nTraceparent: 00-" + badTrace +
		"-00f067aa0ba902b7-01\r\nBad Header: x\r\n\r\n"
	for _, addr := range []string{p.Addr(), off.Addr()} {
		if codes, _ := rawExchange(t, addr, raw, 1); len(codes) != 1 || codes[0] != 400 {
			t.Fatalf("malformed head: statuses %v, want [400]", codes)
		}
	}
	sent[badTrace] = want{"GET", "/bad", 400, "", "", false, 0, -1}
	protocol[badTrace] = "HTTP/1.1"

	var lines map[string]accessLine
	waitFor(func() bool { lines = accessLines(t, p.Log); return len(lines) >= len(sent) })
	for trace, w := range sent {
		l, ok := lines[trace]
		if !ok {
			t.Errorf("no access-log line with trace_id %s (%s %s)", trace, w.method, w.path)
			continue
		}
		line, _ := json.Marshal(l)
		if l.Method != w.method || l.Path != w.path || l.Status != w.status || l.Route != w.route ||
			l.Rule != w.rule || l.Protocol != protocol[trace] {
			t.Errorf("line %s: want method %s path %s status %d route %q rule %q protocol %s",
				line, w.method, w.path, w.status, w.route, w.rule, protocol[trace])
		}
		if l.Authority != "logged.test" || l.ClientIP != "127.0.0.1" || l.DurationMS == nil || *l.DurationMS < 0 {
			t.Errorf("line %s: want authority logged.test, client_ip 127.0.0.1, a duration", line)
		}
		if ts, err := time.Parse(time.RFC3339Nano, l.Time); err != nil || time.Since(ts) > time.Minute || time.Since(ts) < 0 {
			t.Errorf("line %s: time %q is not a recent RFC 3339 time (%v)", line, l.Time, err)
		}
		if w.upstream {
			if l.Upstream == nil || *l.Upstream != b.Addr || l.UpstreamMS == nil {
				t.Errorf("line %s: want upstream %s with a time", line, b.Addr)
			}
			if l.RequestID == "" {
				t.Errorf("line %s: want the forwarded x-request-id", line)
			}
		} else if l.Upstream != nil || l.UpstreamMS != nil {
			t.Errorf("line %s: a local response names an upstream", line)
		}
		if l.BytesIn != w.bytesIn || (w.bytesOut < 0 && l.BytesOut <= 0) || (w.bytesOut >= 0 && l.BytesOut != w.bytesOut) {
			t.Errorf("line %s: want bytes_in %d, bytes_out %d (-1: any)", line, w.bytesIn, w.bytesOut)
		}
	}
	if len(lines) != len(sent) {
		t.Errorf("%d access-log lines, want %d", len(lines), len(sent))
	}

	// Off: the proxy answered the same requests and wrote no line.
	time.Sleep(100 * time.Millisecond)
	if got := accessLines(t, off.Log); len(got) != 0 {
		t.Errorf("--access-log off wrote %d lines", len(got))
	}
	metrics := scrape(t, p.AdminPort)
	if !strings.Contains(metrics, "\narchway_access_log_dropped_total 0\n") {
		t.Errorf("metrics: want archway_access_log_dropped_total 0")
	}
}

// TestAccessLogFile: --access-log PATH appends lines to that file.
func TestAccessLogFile(t *testing.T) {
	b := startBackend(t, "file-logged")
	path := filepath.Join(t.TempDir(), "access.log")
	p := startProxy(t, catchAll(clusterOf("file-logged", "HTTP", b)),
		ProxyOptions{Args: []string{"--access-log", path}})
	trace := traceFor(1000)
	for _, cl := range clients() {
		getEcho(t, cl.c, "GET", p.URL("/file"), "", traceparent(trace), nil)
	}
	var lines int
	waitFor(func() bool {
		body, _ := os.ReadFile(path)
		lines = strings.Count(string(body), `"trace_id":"`+trace+`"`)
		return lines == 2
	})
	if lines != 2 {
		t.Errorf("%s has %d lines for trace %s, want 2", path, lines, trace)
	}
	if got := accessLines(t, p.Log); len(got) != 0 {
		t.Errorf("with --access-log FILE, %d access lines went to stdout", len(got))
	}
}

func scrape(t *testing.T, port int) string {
	t.Helper()
	resp, err := plainClient.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestAccessLogRefusedHeads: heads refused before they parse (too large:
// 431; bare LF: 400) still get a line, with the status, the client and the
// bytes sent, and empty request fields — also when an earlier request on
// the same connection was logged in full.
func TestAccessLogRefusedHeads(t *testing.T) {
	b := startBackend(t, "refused")
	p := startProxy(t, catchAll(clusterOf("refused", "HTTP", b)), ProxyOptions{})
	huge := "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("b", 128<<10) + "\r\n\r\n"
	if codes, _ := rawExchange(t, p.Addr(), huge, 1); len(codes) != 1 || codes[0] != 431 {
		t.Fatalf("oversized head: statuses %v, want [431]", codes)
	}
	// A good request first, then a bare LF on the same connection.
	twice := "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\nHost: a\r\n\r\n"
	if codes, _ := rawExchange(t, p.Addr(), twice, 2); len(codes) != 2 || codes[0] != 200 || codes[1] != 400 {
		t.Fatalf("good then bare LF: statuses %v, want [200 400]", codes)
	}
	var refused []accessLine
	waitFor(func() bool {
		refused = refused[:0]
		f, err := os.Open(p.Log)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var l accessLine
			if strings.HasPrefix(sc.Text(), `{"time":`) && json.Unmarshal(sc.Bytes(), &l) == nil && l.Status >= 400 {
				refused = append(refused, l)
			}
		}
		return len(refused) >= 2
	})
	if len(refused) != 2 {
		t.Fatalf("%d lines for refused heads, want 2: %+v", len(refused), refused)
	}
	for i, status := range []int{431, 400} {
		l := refused[i]
		if l.Status != status || l.Method != "" || l.Path != "" || l.Route != "" || l.ClientIP != "127.0.0.1" || l.BytesOut <= 0 {
			t.Errorf("line %+v: want status %d, empty method, path and route, client 127.0.0.1, bytes out", l, status)
		}
	}
}
