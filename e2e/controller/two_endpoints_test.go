package controllere2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// twoEndpoints is a stack whose Service "app" has two endpoints, "blue" and
// "dead" (both answering until the test stops dead), behind one APIRoute.
type twoEndpoints struct {
	Stack    *Stack
	Accepted string // the route's Accepted condition, "Status/Reason/Message"
	Dead     *backend.Backend
}

// startTwoEndpoints applies an APIRoute `name` for `host` with one rule to
// the Service carrying `policy` (YAML fields of the rule, one per line),
// waits until it is Ready, and until both endpoints have answered.
func startTwoEndpoints(t *testing.T, name, host, policy string) twoEndpoints {
	t.Helper()
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	dead := backend.Start(t, "dead", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("app", 80, blue, dead))
	c.Apply(t, ns, fmt.Sprintf(`apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: %s}
spec:
  hostnames: [%s]
  rules:
  - name: r
    backends: [{name: app, port: 80}]
    %s
`, name, host, strings.ReplaceAll(policy, "\n", "\n    ")))
	if err := c.WaitCondition(ns, "apiroute/"+name, "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	accepted := condition(t, c, ns, name, "Accepted")
	s.expectBackend(t, host, "/", "blue")
	s.expectBackend(t, host, "/", "dead") // both endpoints serve
	return twoEndpoints{Stack: s, Accepted: accepted, Dead: dead}
}
