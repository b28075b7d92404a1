package controllere2e

import (
	"strings"
	"testing"
)

// TestRetriesAreEnforcedThroughTheController: an APIRoute's retries are
// accepted with nothing "not enforced" about them, and the proxy the
// controller programs retries (docs/resilience.md "Retries"): of the
// Service's two endpoints one stops answering, and every request still
// succeeds on the other (connect-failure, retried at once), with no
// outlier detection to take the dead one out.
func TestRetriesAreEnforcedThroughTheController(t *testing.T) {
	r := startTwoEndpoints(t, "retry", "retry.example.com",
		"retries: {attempts: 2, retryOn: [connect-failure], backoff: {base: 1ms, max: 10ms}}")
	if strings.Contains(r.Accepted, "not enforced") {
		t.Errorf("Accepted message says something is not enforced: %s", r.Accepted)
	}
	s := r.Stack

	r.Dead.Stop()
	for i := 0; i < 20; i++ {
		if code, a, body := s.get("retry.example.com", "/"); code != 200 || a.Name != "blue" {
			t.Errorf("request %d: HTTP %d from %q %s, want 200 from blue (retried)", i, code, a.Name, strings.TrimSpace(body))
		}
	}
}
