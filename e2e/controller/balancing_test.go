package controllere2e

import (
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// TestBalancingConsistentHashThroughTheController: an APIRoute rule's
// loadBalancer reaches the proxy through the controller (docs/resilience.md
// "Balancing"): hashing on the client address, every request of this one
// client lands on one endpoint of three, where the default (least request)
// spreads them.
func TestBalancingConsistentHashThroughTheController(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	a := backend.Start(t, "a", "127.0.0.1")
	b := backend.Start(t, "b", "127.0.0.1")
	d := backend.Start(t, "d", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("app", 80, a, b, d))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: lb}
spec:
  hostnames: [lb.example.com]
  rules:
  - name: sticky
    matches: [{path: {type: PathPrefix, value: /sticky}}]
    backends: [{name: app, port: 80}]
    loadBalancer: {policy: ConsistentHash, hashOn: {clientAddress: true}}
  - name: spread
    backends: [{name: app, port: 80}]
`)
	if err := c.WaitCondition(ns, "apiroute/lb", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := condition(t, c, ns, "lb", "Accepted"); strings.Contains(got, "loadBalancer") {
		t.Errorf("Accepted message names loadBalancer, which is enforced: %s", got)
	}
	s.expectStatus(t, "lb.example.com", "/sticky", 200)
	s.expectStatus(t, "lb.example.com", "/", 200)
	sticky, spread := map[string]int{}, map[string]int{}
	for i := 0; i < 30; i++ {
		if code, ans, body := s.get("lb.example.com", "/sticky"); code == 200 {
			sticky[ans.Name]++
		} else {
			t.Fatalf("/sticky: HTTP %d %s", code, body)
		}
		if code, ans, body := s.get("lb.example.com", "/"); code == 200 {
			spread[ans.Name]++
		} else {
			t.Fatalf("/: HTTP %d %s", code, body)
		}
	}
	if len(sticky) != 1 {
		t.Errorf("hashing on the client address: answers by endpoint %v, want one endpoint only", sticky)
	}
	if len(spread) < 2 {
		t.Errorf("least request: answers by endpoint %v, want more than one endpoint", spread)
	}
}
