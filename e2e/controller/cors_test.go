package controllere2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCORSFromKubectlApply: a user turns CORS on with `kubectl apply` (in
// `defaults`, overridden by one rule), the route is Ready with no "not
// enforced" note for cors, and the proxy answers preflights at the edge and
// adds the headers to real responses.
func TestCORSFromKubectlApply(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: shop}
spec:
  hostnames: [shop.example.com]
  defaults:
    cors: {allowOrigins: ["https://app.example.com", "https://*.example.org"], allowMethods: [GET, PUT],
           allowHeaders: [X-Token], allowCredentials: true, maxAge: 10m}
  rules:
  - name: api
    matches: [{path: {type: PathPrefix, value: /api}, methods: [GET, PUT]}]
    backends: [{name: blue, port: 80}]
  - name: public
    matches: [{path: {type: PathPrefix, value: /public}}]
    cors: {allowOrigins: ["*"]}
    backends: [{name: blue, port: 80}]
`)
	waitCondition(t, c, ns, "shop", "Ready", "True")
	if got := condition(t, c, ns, "shop", "Accepted"); strings.Contains(got, "cors") {
		t.Errorf("Accepted still says cors is not enforced: %s", got)
	}
	s.expectBackend(t, "shop.example.com", "/api/x", "blue")

	send := func(method, path string, hdr http.Header) *http.Response {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+s.HTTPAddr+path, nil)
		req.Host = "shop.example.com"
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		return resp
	}
	pre := func(origin, method string) http.Header {
		return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {method},
			"Access-Control-Request-Headers": {"x-token"}}
	}

	resp := send("OPTIONS", "/api/x", pre("https://shop.example.org", "PUT"))
	if got := resp.Header.Get("Access-Control-Allow-Origin"); resp.StatusCode/100 != 2 || got != "https://shop.example.org" {
		t.Errorf("preflight from an allowed origin: %d, Access-Control-Allow-Origin %q", resp.StatusCode, got)
	}
	if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
		t.Errorf("preflight: Access-Control-Allow-Credentials %q", got)
	}
	resp = send("OPTIONS", "/api/x", pre("https://evil.example.com", "PUT"))
	if got := resp.Header.Values("Access-Control-Allow-Origin"); len(got) != 0 {
		t.Errorf("preflight from a disallowed origin: Access-Control-Allow-Origin %q", got)
	}
	resp = send("GET", "/api/x", http.Header{"Origin": {"https://app.example.com"}})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); resp.StatusCode != 200 || got != "https://app.example.com" {
		t.Errorf("GET from an allowed origin: %d, Access-Control-Allow-Origin %q", resp.StatusCode, got)
	}
	// The rule's own cors replaces the default whole.
	resp = send("GET", "/public/x", http.Header{"Origin": {"https://anyone.test"}})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("GET on the rule with allowOrigins [*]: Access-Control-Allow-Origin %q, want *", got)
	}
	if got := resp.Header.Values("Access-Control-Allow-Credentials"); len(got) != 0 {
		t.Errorf("GET on the rule with allowOrigins [*]: Access-Control-Allow-Credentials %q (the default's credentials leaked)", got)
	}
}
