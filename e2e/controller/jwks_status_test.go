package controllere2e

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// waitConditionFor is waitCondition with a timeout of the caller's.
func waitConditionFor(t *testing.T, timeout time.Duration, s *Stack, route, typ, prefix string) string {
	t.Helper()
	var got string
	eventually(t, timeout, route+" "+typ+" "+prefix, func() string {
		got = condition(t, s.c, s.NS, route, typ)
		if strings.HasPrefix(got, prefix) {
			return ""
		}
		return got
	})
	return got
}

// TestJWKSFetchFailureShowsOnTheAPIRouteAndClearsOnceFixed: a route whose
// jwksUri answers 503 gets JWKSReady=False with the URI and the error,
// while Accepted, Programmed and Ready stay True; once the endpoint serves
// a key set the condition turns True, with no request sent through the
// proxy at all (the proxy fetches when a snapshot arrives, the controller
// re-pushes every 30 s and reads GET /jwks every 10 s: docs/auth.md).
func TestJWKSFetchFailureShowsOnTheAPIRouteAndClearsOnceFixed(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")

	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": base64.RawURLEncoding.EncodeToString(pub)}}})
	var healthy atomic.Bool
	var fetches atomic.Int64
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if !healthy.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(set)
	}))
	t.Cleanup(idp.Close)
	jwksURI := idp.URL + "/jwks"

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: guarded}
spec:
  hostnames: [guarded.example.com]
  rules:
  - name: orders
    auth: {jwt: {issuer: "https://issuer.e2e.test", audiences: [orders], jwksUri: "`+jwksURI+`"}}
    backends: [{name: blue, port: 80}]
`)
	got := waitConditionFor(t, 45*time.Second, s, "guarded", "JWKSReady", "False/JWKSFetchFailed/")
	for _, want := range []string{jwksURI, "answered 503", "no keys yet"} {
		if !strings.Contains(got, want) {
			t.Errorf("JWKSReady %q does not say %q", got, want)
		}
	}
	// The outage is the issuer's: the route is still accepted and served.
	for _, typ := range []string{"Accepted", "Programmed", "Ready"} {
		if got := condition(t, c, ns, "guarded", typ); !strings.HasPrefix(got, "True/") {
			t.Errorf("%s with the JWKS endpoint down: %s, want True", typ, got)
		}
	}
	if n := fetches.Load(); n == 0 {
		t.Errorf("the JWKS endpoint was never asked")
	}

	healthy.Store(true)
	got = waitConditionFor(t, 75*time.Second, s, "guarded", "JWKSReady", "True/JWKSFetched/")
	if !strings.Contains(got, jwksURI) {
		t.Errorf("JWKSReady %q does not name the URI", got)
	}

	// A route that stops naming a jwksUri loses the condition.
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: guarded}
spec:
  hostnames: [guarded.example.com]
  rules:
  - name: orders
    backends: [{name: blue, port: 80}]
`)
	waitConditionFor(t, 30*time.Second, s, "guarded", "JWKSReady", "//")
}
