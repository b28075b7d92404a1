package controllere2e

import (
	"strings"
	"testing"
)

// TestCircuitBreakerIsEnforcedThroughTheController: an APIRoute's
// circuitBreaker is accepted with nothing "not enforced" about it, and the
// proxy the controller programs enforces it (docs/resilience.md): of the
// Service's two endpoints, the one that stops answering is ejected after
// consecutive5xx failures and the other takes every request.
func TestCircuitBreakerIsEnforcedThroughTheController(t *testing.T) {
	// Round robin: the test counts the requests that reach the dead
	// endpoint before its ejection, which the default least request's
	// random choice among idle endpoints would make a matter of chance.
	r := startTwoEndpoints(t, "cb", "cb.example.com",
		"circuitBreaker: {maxRequests: 100, consecutive5xx: 2, baseEjectionTime: 60s, maxEjectionPercent: 50}\n"+
			"loadBalancer: {policy: RoundRobin}")
	if strings.Contains(r.Accepted, "circuitBreaker") {
		t.Errorf("Accepted message lists circuitBreaker, which is enforced: %s", r.Accepted)
	}
	s := r.Stack

	r.Dead.Stop()
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
