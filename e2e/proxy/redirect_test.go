package proxye2e

import (
	"fmt"
	"testing"
)

// TestRedirectKeepsQueryPortAndResponseHeaders checks redirects the way
// users of Gateway API's RequestRedirect filter expect them: a replaced path
// keeps the query string, the listener's port is kept unless the redirect
// names a scheme or a port, and the rule's responseHeaders apply to the
// redirect answer as to any other.
func TestRedirectKeepsQueryPortAndResponseHeaders(t *testing.T) {
	route := func(name string, path string, r Redirect) Route {
		return Route{Name: name, RouteName: "e2e/" + name, RuleName: name,
			Matches: []Match{{Path: exact(path)}}, Redirect: &r}
	}
	moved := route("moved", "/old", Redirect{Path: "/new", StatusCode: 301})
	moved.ResponseHeaders = &HeaderOps{
		Set: []HeaderValue{{Name: "Cache-Control", Value: "no-store"}},
		Add: []HeaderValue{{Name: "X-Redirected-By", Value: "archway"}},
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "r", Domains: []string{"*"}, Routes: []Route{
			moved,
			route("to-https", "/secure", Redirect{Scheme: "https", StatusCode: 308}),
			route("elsewhere", "/away", Redirect{Hostname: "other.test"}),
		}}},
		Clusters: []Cluster{},
	}
	p := startProxy(t, snap, ProxyOptions{})
	withPort := fmt.Sprintf("site.test:%d", p.HTTPPort)
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			cases := []struct {
				target, host string
				code         int
				location     string
			}{
				{"/old?page=2&sort=asc", "site.test", 301, "http://site.test/new?page=2&sort=asc"},
				{"/old?page=2", withPort, 301, "http://" + withPort + "/new?page=2"},
				{"/secure?a=1", withPort, 308, "https://site.test/secure?a=1"},
				{"/away?b=2", withPort, 302, fmt.Sprintf("http://other.test:%d/away?b=2", p.HTTPPort)},
			}
			for _, c := range cases {
				resp, _ := do(t, cl.c, "GET", p.URL(c.target), c.host, nil, nil)
				if loc := resp.Header.Get("Location"); resp.StatusCode != c.code || loc != c.location {
					t.Errorf("%s (Host %s): %d Location %q, want %d %q", c.target, c.host, resp.StatusCode, loc, c.code, c.location)
				}
			}
			resp, _ := do(t, cl.c, "GET", p.URL("/old"), "site.test", nil, nil)
			if got := resp.Header.Values("Cache-Control"); len(got) != 1 || got[0] != "no-store" {
				t.Errorf("redirect Cache-Control = %q, want [no-store] (responseHeaders.set)", got)
			}
			if got := resp.Header.Values("X-Redirected-By"); len(got) != 1 || got[0] != "archway" {
				t.Errorf("redirect X-Redirected-By = %q, want [archway] (responseHeaders.add)", got)
			}
		})
	}
}
