package controllere2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// probesSeen asks an echo backend how many requests came with the proxy's
// health-check User-Agent, and the last one's path.
func probesSeen(t *testing.T, b *backend.Backend) (int, string) {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://%s/__echo/seen?userAgent=archway-health-check", b.Addr()))
	if err != nil {
		t.Fatalf("backend %s: %v", b.Name, err)
	}
	defer resp.Body.Close()
	var seen struct {
		Count int    `json:"count"`
		Path  string `json:"path"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&seen); err != nil {
		t.Fatalf("backend %s: %v", b.Name, err)
	}
	return seen.Count, seen.Path
}

// TestHealthCheckThroughTheController: an APIRoute rule's healthCheck
// reaches the proxy through the controller (docs/resilience.md "Health
// checks"): the route is accepted and served, and every endpoint of the
// Service receives the proxy's probes on the rule's path with the
// archway-health-check User-Agent. A healthCheck the proxy cannot carry
// out (an HTTPS backend, which the schema cannot tell) leaves that route
// Accepted=False with the reason, while the first keeps serving.
func TestHealthCheckThroughTheController(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	a := backend.Start(t, "a", "127.0.0.1")
	b := backend.Start(t, "b", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("app", 80, a, b))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: checked}
spec:
  hostnames: [hc.example.com]
  rules:
  - name: all
    backends: [{name: app, port: 80}]
    healthCheck: {path: /healthz, interval: 200ms}
`)
	waitCondition(t, c, ns, "checked", "Ready", "True")
	s.expectStatus(t, "hc.example.com", "/", 200)
	for _, be := range []*backend.Backend{a, b} {
		eventually(t, 10*time.Second, "probes at "+be.Name, func() string {
			if n, path := probesSeen(t, be); n < 2 || path != "/healthz" {
				return fmt.Sprintf("%d probes, last on %q", n, path)
			}
			return ""
		})
	}

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: tls-checked}
spec:
  hostnames: [tls-hc.example.com]
  rules:
  - name: all
    backends: [{name: app, port: 80, protocol: HTTPS}]
    healthCheck: {path: /healthz}
`)
	got := waitCondition(t, c, ns, "tls-checked", "Accepted", "False/UnsupportedValue/")
	if !strings.Contains(got, "spec.rules[0].healthCheck") || !strings.Contains(got, "HTTPS") {
		t.Errorf("Accepted condition %q does not name the field and the protocol", got)
	}
	s.expectStatus(t, "hc.example.com", "/", 200)
}
