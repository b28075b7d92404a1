package proxye2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// corsSnapshot has three routes on one backend: /api with a strict CORS
// policy (two origins, one of them a wildcard subdomain, credentials, a
// custom request header, an exposed response header, a preflight max-age),
// /open allowing any origin, and /plain without CORS.
func corsSnapshot(be *Backend, apiOrigins ...string) Snapshot {
	route := func(name, path string, methods []string, cors *Cors) Route {
		r := Route{Name: name, RouteName: "e2e/cors", RuleName: name,
			Matches:  []Match{{Path: prefix(path), Methods: methods}},
			Backends: []WeightedBackend{{Cluster: "api", Weight: 1}}}
		if cors != nil {
			r.Policies = &Policies{Cors: cors}
		}
		return r
	}
	origins := append([]string{"https://app.example.com", "https://*.example.org"}, apiOrigins...)
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "c", Domains: []string{"*"}, Routes: []Route{
			route("api", "/api", []string{"GET", "PUT"}, &Cors{
				AllowOrigins: origins, AllowMethods: []string{"GET", "PUT"},
				AllowHeaders: []string{"X-Token"}, ExposeHeaders: []string{"X-Request-Id"},
				AllowCredentials: true, MaxAge: "10m"}),
			route("open", "/open", nil, &Cors{AllowOrigins: []string{"*"}}),
			route("plain", "/plain", nil, nil),
		}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
}

// hasToken reports whether a comma-separated header (all its lines) lists
// token, compared case-insensitively.
func hasToken(h http.Header, name, token string) bool {
	for _, line := range h.Values(name) {
		for _, t := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func preflight(origin, method, headers string) http.Header {
	h := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method}}
	if headers != "" {
		h.Set("Access-Control-Request-Headers", headers)
	}
	return h
}

// TestCORSPreflightIsAnsweredAtTheEdge: a preflight on a CORS route never
// reaches the backend. An allowed origin, method and header get the full
// set of CORS headers (credentials mean the origin is echoed, never "*");
// anything else gets none, which is what makes a browser block the call.
func TestCORSPreflightIsAnsweredAtTheEdge(t *testing.T) {
	be := startBackend(t, "api")
	p := startProxy(t, corsSnapshot(be), ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			allowed := []struct{ name, origin, method, headers string }{
				{"exact origin", "https://app.example.com", "PUT", "x-token"},
				{"origin in another case", "HTTPS://APP.EXAMPLE.COM", "GET", ""},
				{"wildcard subdomain", "https://a.example.org", "PUT", "X-Token"},
				{"deeper subdomain", "https://b.a.example.org", "GET", ""},
			}
			for _, c := range allowed {
				before := be.Stats(t).Requests
				resp, _ := do(t, cl.c, "OPTIONS", p.URL("/api/items"), "site.test", preflight(c.origin, c.method, c.headers), nil)
				if resp.StatusCode/100 != 2 {
					t.Errorf("%s: preflight status %d, want 2xx", c.name, resp.StatusCode)
				}
				if got := resp.Header.Get("Access-Control-Allow-Origin"); !strings.EqualFold(got, c.origin) {
					t.Errorf("%s: Access-Control-Allow-Origin %q, want the request's origin %q", c.name, got, c.origin)
				}
				if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
					t.Errorf("%s: Access-Control-Allow-Credentials %q, want true", c.name, got)
				}
				if !hasToken(resp.Header, "Access-Control-Allow-Methods", c.method) {
					t.Errorf("%s: Access-Control-Allow-Methods %q does not list %s", c.name, resp.Header.Values("Access-Control-Allow-Methods"), c.method)
				}
				if c.headers != "" && !hasToken(resp.Header, "Access-Control-Allow-Headers", c.headers) {
					t.Errorf("%s: Access-Control-Allow-Headers %q does not list %s", c.name, resp.Header.Values("Access-Control-Allow-Headers"), c.headers)
				}
				if got := resp.Header.Get("Access-Control-Max-Age"); got != "600" {
					t.Errorf("%s: Access-Control-Max-Age %q, want 600", c.name, got)
				}
				if !hasToken(resp.Header, "Vary", "Origin") {
					t.Errorf("%s: Vary %q lacks Origin", c.name, resp.Header.Values("Vary"))
				}
				if after := be.Stats(t).Requests; after != before {
					t.Errorf("%s: the preflight reached the backend (%d → %d requests)", c.name, before, after)
				}
			}

			denied := []struct{ name, origin, method, headers string }{
				{"unknown origin", "https://evil.example.com", "GET", ""},
				{"bare wildcard suffix", "https://example.org", "GET", ""},
				{"wildcard on another scheme", "http://a.example.org", "GET", ""},
				{"exact origin on another port", "https://app.example.com:8443", "GET", ""},
				{"method not allowed", "https://app.example.com", "DELETE", ""},
				{"header not allowed", "https://app.example.com", "GET", "x-other"},
			}
			for _, c := range denied {
				before := be.Stats(t).Requests
				resp, _ := do(t, cl.c, "OPTIONS", p.URL("/api/items"), "site.test", preflight(c.origin, c.method, c.headers), nil)
				for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers"} {
					if got := resp.Header.Values(h); len(got) != 0 {
						t.Errorf("%s: denied preflight carries %s %q", c.name, h, got)
					}
				}
				if after := be.Stats(t).Requests; after != before {
					t.Errorf("%s: the denied preflight reached the backend", c.name)
				}
			}

			// OPTIONS without Access-Control-Request-Method is not a
			// preflight, and a route without CORS routes preflights as usual.
			for _, path := range []string{"/api/items", "/plain/items"} {
				hdr := http.Header{"Origin": {"https://app.example.com"}}
				if path == "/plain/items" {
					hdr = preflight("https://app.example.com", "GET", "")
				}
				resp, body := do(t, cl.c, "OPTIONS", p.URL(path), "site.test", hdr, nil)
				if path == "/api/items" {
					// The /api rule allows GET and PUT only: a plain OPTIONS
					// does not match it and nothing else serves /api.
					if resp.StatusCode != 404 {
						t.Errorf("plain OPTIONS %s: %d, want 404 (no rule matches OPTIONS)", path, resp.StatusCode)
					}
					continue
				}
				if e := echoOf(t, resp, body); e.Method != "OPTIONS" {
					t.Errorf("OPTIONS %s reached the backend as %q", path, e.Method)
				}
			}
		})
	}
}

// TestCORSActualRequests: responses to cross-origin requests from allowed
// origins carry the CORS headers, those from other origins reach the
// backend but carry none (and are counted), and every response of a CORS
// route says Vary: Origin so a cache never hands one origin's answer to
// another.
func TestCORSActualRequests(t *testing.T) {
	be := startBackend(t, "api")
	p := startProxy(t, corsSnapshot(be), ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			resp, body := do(t, cl.c, "GET", p.URL("/api/items"), "site.test", http.Header{"Origin": {"https://x.example.org"}}, nil)
			echoOf(t, resp, body)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://x.example.org" {
				t.Errorf("allowed origin: Access-Control-Allow-Origin %q", got)
			}
			if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
				t.Errorf("allowed origin: Access-Control-Allow-Credentials %q, want true", got)
			}
			if !hasToken(resp.Header, "Access-Control-Expose-Headers", "x-request-id") {
				t.Errorf("allowed origin: Access-Control-Expose-Headers %q", resp.Header.Values("Access-Control-Expose-Headers"))
			}
			if !hasToken(resp.Header, "Vary", "Origin") {
				t.Errorf("allowed origin: Vary %q lacks Origin", resp.Header.Values("Vary"))
			}

			resp, body = do(t, cl.c, "PUT", p.URL("/api/items"), "site.test", http.Header{"Origin": {"https://evil.example.com"}}, strings.NewReader("x"))
			if e := echoOf(t, resp, body); e.Method != "PUT" {
				t.Errorf("disallowed origin: the request must still reach the backend")
			}
			if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 0 {
				t.Errorf("disallowed origin: Access-Control-Allow-Origin %q", got)
			}
			if !hasToken(resp.Header, "Vary", "Origin") {
				t.Errorf("disallowed origin: Vary %q lacks Origin", resp.Header.Values("Vary"))
			}

			resp, body = do(t, cl.c, "GET", p.URL("/api/items"), "site.test", nil, nil)
			echoOf(t, resp, body)
			if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 0 {
				t.Errorf("no Origin: Access-Control-Allow-Origin %q", got)
			}
			if !hasToken(resp.Header, "Vary", "Origin") {
				t.Errorf("no Origin: Vary %q lacks Origin", resp.Header.Values("Vary"))
			}

			// "*" without credentials answers "*" and never allows credentials.
			resp, body = do(t, cl.c, "GET", p.URL("/open/x"), "site.test", http.Header{"Origin": {"https://anyone.test"}}, nil)
			echoOf(t, resp, body)
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("open route: Access-Control-Allow-Origin %q, want *", got)
			}
			if got := resp.Header.Values("Access-Control-Allow-Credentials"); len(got) != 0 {
				t.Errorf("open route: Access-Control-Allow-Credentials %q", got)
			}

			// The route without CORS is left alone.
			resp, body = do(t, cl.c, "GET", p.URL("/plain/x"), "site.test", http.Header{"Origin": {"https://app.example.com"}}, nil)
			echoOf(t, resp, body)
			if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 0 {
				t.Errorf("route without CORS: Access-Control-Allow-Origin %q", got)
			}
		})
	}

	metrics := scrape(t, p.AdminPort)
	want := fmt.Sprintf(`%s{route="e2e/cors",rule="api"}`, corsDeniedMetric)
	if v := metricValue(metrics, want); v < 2 {
		t.Errorf("%s = %v, want ≥ 2 (one disallowed origin per client)\n%s", want, v, grepLines(metrics, "cors"))
	}
}

// corsDeniedMetric counts requests from origins a CORS policy does not allow.
const corsDeniedMetric = "archway_cors_denied_total"

// metricValue returns the value of the first sample whose name and labels
// start with series (labels in the proxy's order), or -1.
func metricValue(metrics, series string) float64 {
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, series) {
			var v float64
			if _, err := fmt.Sscanf(line[len(series):], " %g", &v); err == nil {
				return v
			}
		}
	}
	return -1
}

func grepLines(text, word string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, word) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
