package controllere2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// Policies through the real API server: a rule with aggregate is served
// (each part's Service resolved to the proxy's cluster, the composed JSON
// answered; docs/aggregation.md); a typed policy (cors) compiles into a
// served route, not listed as "not enforced"; one the API
// server lets through but the proxy's decoder refuses is InvalidValue
// naming the field.
func TestPoliciesAggregateCorsAndInvalidValue(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("blue", 80, blue))

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: agg}
spec:
  hostnames: [agg.example.com]
  rules:
  - name: r
    matches: [{path: {type: Template, value: "/v1/orders/{id}"}}]
    aggregate:
      parts: [{name: order, backend: {name: blue, port: 80}, path: "/orders/{id}"}]
`)
	if err := c.WaitCondition(ns, "apiroute/agg", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "agg.example.com/v1/orders/7 → composed", func() string {
		code, _, body := s.get("agg.example.com", "/v1/orders/7")
		var parts map[string]backend.Answer
		if code != 200 || json.Unmarshal([]byte(body), &parts) != nil || parts["order"].Name != "blue" {
			return fmt.Sprintf("HTTP %d %s", code, strings.TrimSpace(body))
		}
		return ""
	})

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: cors}
spec:
  hostnames: [cors.example.com]
  rules:
  - name: r
    backends: [{name: blue, port: 80}]
    cors: {allowOrigins: ["https://App.example.com"], maxAge: 600s}
`)
	if err := c.WaitCondition(ns, "apiroute/cors", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := condition(t, c, ns, "cors", "Accepted"); strings.Contains(got, "cors") {
		t.Errorf("Accepted message lists cors, which is enforced: %s", got)
	}
	s.expectBackend(t, "cors.example.com", "/", "blue")

	// The CRD allows "*" beside other origins; the proxy refuses the mix.
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: star}
spec:
  hostnames: [star.example.com]
  rules:
  - name: r
    backends: [{name: blue, port: 80}]
    cors: {allowOrigins: ["*", "https://app.example.com"]}
`)
	got := waitCondition(t, c, ns, "star", "Accepted", "False/InvalidValue")
	if !strings.Contains(got, "spec.rules[0].cors.allowOrigins") {
		t.Errorf("message does not name the field: %s", got)
	}
	s.expectStatus(t, "star.example.com", "/", 404)
}
