package proxye2e

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"archway.dev/e2e/internal/procs"
)

// TestMatchTypes routes each kind of match to its own backend and checks,
// over HTTP/1.1 and h2c, that every request lands where the precedence
// rules of docs/routing.md say.
func TestMatchTypes(t *testing.T) {
	names := []string{"exact", "prefix", "regex", "template", "method-post", "method-any",
		"header-v2", "header-regex", "header-present", "header-none", "query-debug", "query-none",
		"default", "wild"}
	backends := map[string]*Backend{}
	var clusters []Cluster
	for _, n := range names {
		backends[n] = startBackend(t, n)
		clusters = append(clusters, clusterOf(n, "HTTP", backends[n]))
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{
			{Name: "match", Domains: []string{"match.test"}, Routes: []Route{
				to("exact", Match{Path: exact("/exact")}, "exact"),
				to("prefix", Match{Path: prefix("/prefix")}, "prefix"),
				to("regex", Match{Path: regex("^/regex/[0-9]+$")}, "regex"),
				to("template", Match{Path: tmpl("/users/{id}/orders")}, "template"),
				to("method-post", Match{Path: prefix("/m"), Methods: []string{"POST"}}, "method-post"),
				to("method-any", Match{Path: prefix("/m")}, "method-any"),
				to("header-v2", Match{Path: prefix("/h"), Headers: []ValueMatch{{Name: "X-Version", Type: "Exact", Value: "2"}}}, "header-v2"),
				to("header-regex", Match{Path: prefix("/h"), Headers: []ValueMatch{{Name: "X-Tenant", Type: "RegularExpression", Value: "^t-[0-9]+$"}}}, "header-regex"),
				to("header-present", Match{Path: prefix("/h"), Headers: []ValueMatch{{Name: "X-Present", Type: "Present"}}}, "header-present"),
				to("header-none", Match{Path: prefix("/h")}, "header-none"),
				to("query-debug", Match{Path: prefix("/q"), QueryParams: []ValueMatch{{Name: "debug", Type: "Exact", Value: "1"}}}, "query-debug"),
				to("query-none", Match{Path: prefix("/q")}, "query-none"),
				to("default", Match{Path: prefix("/")}, "default"),
			}},
			{Name: "wild", Domains: []string{"*.wild.test"}, Routes: []Route{
				to("wild", Match{Path: prefix("/")}, "wild"),
			}},
		},
		Clusters: clusters,
	}
	p := startProxy(t, snap, ProxyOptions{})

	cases := []struct {
		method, path, host string
		hdr                http.Header
		want               string // backend name; "" means 404 from the proxy
	}{
		{"GET", "/exact", "match.test", nil, "exact"},
		{"GET", "/exact/", "match.test", nil, "default"},
		{"GET", "/exactly", "match.test", nil, "default"},
		{"GET", "/exact?x=1", "match.test", nil, "exact"},
		{"GET", "/prefix", "match.test", nil, "prefix"},
		{"GET", "/prefix/a/b", "match.test", nil, "prefix"},
		{"GET", "/prefixes", "match.test", nil, "default"},
		{"GET", "/regex/123", "match.test", nil, "regex"},
		{"GET", "/regex/12a", "match.test", nil, "default"},
		{"GET", "/users/42/orders", "match.test", nil, "template"},
		{"GET", "/users/42/orders/7", "match.test", nil, "default"},
		{"GET", "/users/42", "match.test", nil, "default"},
		{"POST", "/m", "match.test", nil, "method-post"},
		{"GET", "/m", "match.test", nil, "method-any"},
		{"DELETE", "/m/x", "match.test", nil, "method-any"},
		{"GET", "/h", "match.test", http.Header{"X-Version": {"2"}}, "header-v2"},
		{"GET", "/h", "match.test", http.Header{"X-Version": {"3"}}, "header-none"},
		{"GET", "/h", "match.test", http.Header{"X-Tenant": {"t-17"}}, "header-regex"},
		{"GET", "/h", "match.test", http.Header{"X-Tenant": {"t-x"}}, "header-none"},
		{"GET", "/h", "match.test", http.Header{"X-Present": {""}}, "header-present"},
		{"GET", "/h", "match.test", nil, "header-none"},
		{"GET", "/q?debug=1", "match.test", nil, "query-debug"},
		{"GET", "/q?x=2&debug=1", "match.test", nil, "query-debug"},
		{"GET", "/q?debug=0", "match.test", nil, "query-none"},
		{"GET", "/q", "match.test", nil, "query-none"},
		{"GET", "/exact", "MATCH.test:8080", nil, "exact"}, // host: case and port ignored
		{"GET", "/anything", "a.wild.test", nil, "wild"},
		{"GET", "/anything", "a.b.wild.test", nil, "wild"},
		{"GET", "/anything", "wild.test", nil, ""},
		{"GET", "/exact", "other.test", nil, ""},
	}
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			for _, c := range cases {
				resp, body := do(t, cl.c, c.method, p.URL(c.path), c.host, c.hdr, nil)
				if c.want == "" {
					if resp.StatusCode != 404 {
						t.Errorf("%s %s host %s: status %d, want 404", c.method, c.path, c.host, resp.StatusCode)
						continue
					}
					errorBody(t, resp, body, 404)
					continue
				}
				if resp.StatusCode != 200 {
					t.Errorf("%s %s host %s %v: status %d, want 200 from %s; body %q", c.method, c.path, c.host, c.hdr, resp.StatusCode, c.want, trunc(body))
					continue
				}
				e := echoOf(t, resp, body)
				if e.Name != c.want {
					t.Errorf("%s %s host %s %v: routed to %s, want %s", c.method, c.path, c.host, c.hdr, e.Name, c.want)
				}
			}
		})
	}
}

// TestWeights sends 10,000 requests to a route split 20/30/50 and checks
// each backend's share within 2 percentage points (the binomial standard
// deviation is under 0.5 points at this count).
func TestWeights(t *testing.T) {
	weights := map[string]int{"w20": 20, "w30": 30, "w50": 50}
	var clusters []Cluster
	var wb []WeightedBackend
	for _, n := range []string{"w20", "w30", "w50"} {
		clusters = append(clusters, clusterOf(n, "HTTP", startBackend(t, n)))
		wb = append(wb, WeightedBackend{Cluster: n, Weight: weights[n]})
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "w", Domains: []string{"*"}, Routes: []Route{{
			Name: "split", Matches: []Match{{Path: prefix("/")}}, Backends: wb,
		}}}},
		Clusters: clusters,
	}
	p := startProxy(t, snap, ProxyOptions{})

	const total, workers = 10000, 8
	counts := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := h1Client()
			if w%2 == 1 {
				c = h2cClient()
			}
			local := map[string]int{}
			for i := 0; i < total/workers; i++ {
				resp, err := c.Get(p.URL("/split"))
				if err != nil {
					errs <- err
					return
				}
				name := resp.Header.Get("X-Backend-Name")
				resp.Body.Close()
				if resp.StatusCode != 200 || name == "" {
					errs <- fmt.Errorf("status %d from %q", resp.StatusCode, name)
					return
				}
				local[name]++
			}
			mu.Lock()
			for k, v := range local {
				counts[k] += v
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sum := 0
	for _, v := range counts {
		sum += v
	}
	if sum != total {
		t.Fatalf("counted %d responses, want %d: %v", sum, total, counts)
	}
	for n, w := range weights {
		got := 100 * float64(counts[n]) / total
		if math.Abs(got-float64(w)) > 2 {
			t.Errorf("backend %s got %.2f%% of requests, want %d%% ± 2", n, got, w)
		}
	}
	t.Logf("shares over %d requests: %v", total, counts)
}

// TestRewrites checks prefix, full-path (with template captures) and host
// rewrites as the backend sees them.
func TestRewrites(t *testing.T) {
	b := startBackend(t, "rw")
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "rw", Domains: []string{"*"}, Routes: []Route{
			func() Route {
				r := to("prefix", Match{Path: prefix("/api")}, "rw")
				r.Rewrite = &Rewrite{PathPrefix: str("/v2")}
				return r
			}(),
			func() Route {
				r := to("prefix-root", Match{Path: prefix("/strip")}, "rw")
				r.Rewrite = &Rewrite{PathPrefix: str("/")}
				return r
			}(),
			func() Route {
				r := to("full", Match{Path: tmpl("/users/{id}/profile")}, "rw")
				r.Rewrite = &Rewrite{FullPath: str("/internal/profiles/{id}")}
				return r
			}(),
			func() Route {
				r := to("full-static", Match{Path: exact("/old")}, "rw")
				r.Rewrite = &Rewrite{FullPath: str("/new/place")}
				return r
			}(),
			func() Route {
				r := to("host", Match{Path: prefix("/host")}, "rw")
				r.Rewrite = &Rewrite{Hostname: str("internal.example")}
				return r
			}(),
			to("none", Match{Path: prefix("/")}, "rw"),
		}}},
		Clusters: []Cluster{clusterOf("rw", "HTTP", b)},
	}
	p := startProxy(t, snap, ProxyOptions{})
	cases := []struct{ path, wantPath, wantQuery, wantHost string }{
		{"/api/users?x=1", "/v2/users", "x=1", "front.test"},
		{"/api", "/v2", "", "front.test"},
		{"/strip/a/b", "/a/b", "", "front.test"},
		{"/strip", "/", "", "front.test"},
		{"/users/42/profile?full=1", "/internal/profiles/42", "full=1", "front.test"},
		{"/old", "/new/place", "", "front.test"},
		{"/host/x", "/host/x", "", "internal.example"},
		{"/plain/x?y=2", "/plain/x", "y=2", "front.test"},
	}
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			for _, c := range cases {
				e := getEcho(t, cl.c, "GET", p.URL(c.path), "front.test", nil, nil)
				host := strings.Split(e.Host, ":")[0]
				if e.Path != c.wantPath || e.Query != c.wantQuery || host != c.wantHost {
					t.Errorf("%s: backend saw path %q query %q host %q; want %q %q %q",
						c.path, e.Path, e.Query, e.Host, c.wantPath, c.wantQuery, c.wantHost)
				}
			}
		})
	}
}

// TestHeaderTransforms checks request and response set / add / remove.
func TestHeaderTransforms(t *testing.T) {
	b := startBackend(t, "hdr")
	r := to("hdr", Match{Path: prefix("/")}, "hdr")
	r.RequestHeaders = &HeaderOps{
		Set:    []HeaderValue{{Name: "X-Env", Value: "prod"}},
		Add:    []HeaderValue{{Name: "X-Add", Value: "proxy"}},
		Remove: []string{"Cookie", "x-secret"},
	}
	r.ResponseHeaders = &HeaderOps{
		Set:    []HeaderValue{{Name: "X-Resp-Set", Value: "proxy"}},
		Add:    []HeaderValue{{Name: "X-Resp-Add", Value: "proxy"}},
		Remove: []string{"X-Remove-Me"},
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "h", Domains: []string{"*"}, Routes: []Route{r}}},
		Clusters:     []Cluster{clusterOf("hdr", "HTTP", b)},
	}
	p := startProxy(t, snap, ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			hdr := http.Header{
				"X-Env":    {"dev"},
				"X-Add":    {"client"},
				"Cookie":   {"session=1"},
				"X-Secret": {"s"},
				"X-Keep":   {"k"},
				"X-Echo-Set-Header": {
					"X-Resp-Set: backend", "X-Resp-Add: backend", "X-Remove-Me: yes", "X-Untouched: u"},
			}
			resp, body := do(t, cl.c, "GET", p.URL("/t"), "h.test", hdr, nil)
			e := echoOf(t, resp, body)
			check := func(what string, got []string, want ...string) {
				t.Helper()
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s: %q, want %q", what, got, want)
				}
			}
			check("request X-Env (set)", e.Header("X-Env"), "prod")
			check("request X-Add (add)", e.Header("X-Add"), "client", "proxy")
			check("request Cookie (remove)", e.Header("Cookie"))
			check("request X-Secret (remove)", e.Header("X-Secret"))
			check("request X-Keep", e.Header("X-Keep"), "k")
			check("response X-Resp-Set (set)", resp.Header.Values("X-Resp-Set"), "proxy")
			check("response X-Resp-Add (add)", resp.Header.Values("X-Resp-Add"), "backend", "proxy")
			check("response X-Remove-Me (remove)", resp.Header.Values("X-Remove-Me"))
			check("response X-Untouched", resp.Header.Values("X-Untouched"), "u")
		})
	}
}

// TestRedirectsAndDirectResponses checks the two actions that answer
// without a backend.
func TestRedirectsAndDirectResponses(t *testing.T) {
	route := func(name string, m Match) Route {
		return Route{Name: name, RouteName: "e2e/" + name, RuleName: name, Matches: []Match{m}}
	}
	r1 := route("to-https", Match{Path: prefix("/secure")})
	r1.Redirect = &Redirect{Scheme: "https", StatusCode: 301}
	r2 := route("moved", Match{Path: exact("/old")})
	r2.Redirect = &Redirect{Hostname: "new.test", Path: "/new", StatusCode: 308}
	r3 := route("default-code", Match{Path: exact("/tmp")})
	r3.Redirect = &Redirect{Path: "/elsewhere"}
	r4 := route("teapot", Match{Path: exact("/teapot")})
	r4.DirectResponse = &DirectResponse{Status: 418, Body: "short and stout", ContentType: "text/plain"}
	r5 := route("json", Match{Path: exact("/health")})
	r5.DirectResponse = &DirectResponse{Status: 200, Body: `{"ok":true}`, ContentType: "application/json"}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "d", Domains: []string{"*"}, Routes: []Route{r1, r2, r3, r4, r5}}},
		Clusters:     []Cluster{},
	}
	p := startProxy(t, snap, ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			// Without a scheme or port in the redirect, the port of the
			// listener may be kept (Gateway API) or left out (the client
			// sent none): either is accepted.
			port := fmt.Sprintf(":%d", p.HTTPPort)
			cases := []struct {
				path      string
				code      int
				locations []string
			}{
				{"/secure/page", 301, []string{"https://site.test/secure/page"}},
				{"/old", 308, []string{"http://new.test/new", "http://new.test" + port + "/new"}},
				{"/tmp", 302, []string{"http://site.test/elsewhere", "http://site.test" + port + "/elsewhere"}},
			}
			for _, c := range cases {
				resp, _ := do(t, cl.c, "GET", p.URL(c.path), "site.test", nil, nil)
				loc := resp.Header.Get("Location")
				if resp.StatusCode != c.code || !slices.Contains(c.locations, loc) {
					t.Errorf("%s: %d Location %q, want %d and one of %q", c.path, resp.StatusCode, loc, c.code, c.locations)
				}
			}
			resp, body := do(t, cl.c, "GET", p.URL("/teapot"), "site.test", nil, nil)
			if resp.StatusCode != 418 || string(body) != "short and stout" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("/teapot: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			resp, body = do(t, cl.c, "GET", p.URL("/health"), "site.test", nil, nil)
			if resp.StatusCode != 200 || string(body) != `{"ok":true}` || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("/health: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
}

// TestErrorResponses checks the proxy's own answers: 404 (no route), 503
// (no endpoint), 502 (backend refused or dropped the connection), 504
// (backend too slow), each with the small JSON body of DESIGN.md §4.
func TestErrorResponses(t *testing.T) {
	b := startBackend(t, "err")
	dead := procs.FreeLoopbackPort(t) // nothing listens there
	slow := to("slow", Match{Path: prefix("/slow")}, "ok")
	slow.Timeouts = &Timeouts{BackendRequest: "300ms"}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "e", Domains: []string{"err.test"}, Routes: []Route{
			to("empty", Match{Path: prefix("/empty")}, "empty"),
			to("refused", Match{Path: prefix("/refused")}, "refused"),
			slow,
			to("ok", Match{Path: prefix("/ok")}, "ok"),
		}}},
		Clusters: []Cluster{
			{Name: "empty", Protocol: "HTTP", Endpoints: []Endpoint{}},
			{Name: "refused", Protocol: "HTTP", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: dead}}},
			clusterOf("ok", "HTTP", b),
		},
	}
	p := startProxy(t, snap, ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			resp, body := do(t, cl.c, "GET", p.URL("/nowhere"), "err.test", nil, nil)
			errorBody(t, resp, body, 404)
			resp, body = do(t, cl.c, "GET", p.URL("/ok"), "unknown.test", nil, nil)
			errorBody(t, resp, body, 404)
			resp, body = do(t, cl.c, "GET", p.URL("/empty"), "err.test", nil, nil)
			errorBody(t, resp, body, 503)
			resp, body = do(t, cl.c, "GET", p.URL("/refused"), "err.test", nil, nil)
			errorBody(t, resp, body, 502)
			resp, body = do(t, cl.c, "GET", p.URL("/ok/abort"), "err.test", http.Header{"X-Echo-Abort": {"1"}}, nil)
			errorBody(t, resp, body, 502)
			resp, body = do(t, cl.c, "GET", p.URL("/slow"), "err.test", http.Header{"X-Echo-Sleep": {"3s"}}, nil)
			errorBody(t, resp, body, 504)
			// The same connection still serves after each error.
			getEcho(t, cl.c, "GET", p.URL("/ok"), "err.test", nil, nil)
			// A backend's own error status passes through untouched.
			resp, _ = do(t, cl.c, "GET", p.URL("/ok"), "err.test", http.Header{"X-Echo-Status": {"500"}}, nil)
			if resp.StatusCode != 500 || resp.Header.Get("X-Backend-Name") != "err" {
				t.Errorf("backend 500: got %d from %q", resp.StatusCode, resp.Header.Get("X-Backend-Name"))
			}
		})
	}
}
