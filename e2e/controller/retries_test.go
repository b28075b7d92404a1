package controllere2e

import (
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// TestRetriesAreEnforcedThroughTheController: an APIRoute's retries are
// accepted with nothing "not enforced" about them, and the proxy the
// controller programs retries (docs/resilience.md "Retries"): of the
// Service's two endpoints one stops answering, and every request still
// succeeds on the other (connect-failure, retried at once), with no
// outlier detection to take the dead one out.
func TestRetriesAreEnforcedThroughTheController(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	dead := backend.Start(t, "dead", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("app", 80, blue, dead))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: retry}
spec:
  hostnames: [retry.example.com]
  rules:
  - name: r
    backends: [{name: app, port: 80}]
    retries: {attempts: 2, retryOn: [connect-failure], backoff: {base: 1ms, max: 10ms}}
`)
	if err := c.WaitCondition(ns, "apiroute/retry", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := condition(t, c, ns, "retry", "Accepted"); strings.Contains(got, "not enforced") {
		t.Errorf("Accepted message says something is not enforced: %s", got)
	}
	s.expectBackend(t, "retry.example.com", "/", "blue")
	s.expectBackend(t, "retry.example.com", "/", "dead") // both endpoints serve

	dead.Stop()
	for i := 0; i < 20; i++ {
		if code, a, body := s.get("retry.example.com", "/"); code != 200 || a.Name != "blue" {
			t.Errorf("request %d: HTTP %d from %q %s, want 200 from blue (retried)", i, code, a.Name, strings.TrimSpace(body))
		}
	}
}
