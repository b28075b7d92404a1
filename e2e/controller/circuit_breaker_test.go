package controllere2e

import (
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// TestCircuitBreakerIsEnforcedThroughTheController: an APIRoute's
// circuitBreaker is accepted with nothing "not enforced" about it, and the
// proxy the controller programs enforces it (docs/resilience.md): of the
// Service's two endpoints, the one that stops answering is ejected after
// consecutive5xx failures and the other takes every request.
func TestCircuitBreakerIsEnforcedThroughTheController(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	dead := backend.Start(t, "dead", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("app", 80, blue, dead))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: cb}
spec:
  hostnames: [cb.example.com]
  rules:
  - name: r
    backends: [{name: app, port: 80}]
    circuitBreaker: {maxRequests: 100, consecutive5xx: 2, baseEjectionTime: 60s, maxEjectionPercent: 50}
`)
	if err := c.WaitCondition(ns, "apiroute/cb", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := condition(t, c, ns, "cb", "Accepted"); strings.Contains(got, "circuitBreaker") {
		t.Errorf("Accepted message lists circuitBreaker, which is enforced: %s", got)
	}
	s.expectBackend(t, "cb.example.com", "/", "blue")
	s.expectBackend(t, "cb.example.com", "/", "dead") // both endpoints serve

	dead.Stop()
	failed := 0
	for i := 0; i < 20; i++ {
		code, a, body := s.get("cb.example.com", "/")
		if code == 200 && a.Name == "blue" {
			continue
		}
		failed++
		if i >= 10 {
			t.Errorf("request %d: HTTP %d %s, after the dead endpoint should be out", i, code, strings.TrimSpace(body))
		}
	}
	if failed < 2 || failed > 3 {
		t.Errorf("%d requests failed, want 2 (3 at most) before the ejection", failed)
	}
}
