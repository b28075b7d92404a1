package controllere2e

import (
	"strings"
	"testing"
)

// TestVersioningFromKubectlApply: an APIRoute with spec.versioning is
// accepted and programmed, its rules serve v1 and v2 of the same path from
// different Services (the segment stripped), an unknown version gets 400;
// the API server's CEL rules refuse a match version the route does not
// declare and a sunset before the deprecation, naming the field.
func TestVersioningFromKubectlApply(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green")
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: orders}
spec:
  hostnames: [orders.example.com]
  versioning:
    sources: [{type: PathSegment, strip: true}, {type: Header, name: X-Api-Version}]
    default: "2"
    versions:
    - {name: "1", deprecation: "2026-01-01T00:00:00Z", sunset: "2030-01-01T00:00:00Z"}
    - {name: "2"}
  rules:
  - name: v1
    matches: [{path: {type: PathPrefix, value: /v1/orders}, version: "1"}]
    backends: [{name: blue, port: 80}]
  - name: v2
    matches: [{path: {type: PathPrefix, value: /v2/orders}, version: "2"}, {path: {value: /}}]
    backends: [{name: green, port: 80}]
`)
	waitCondition(t, c, ns, "orders", "Ready", "True")
	if got := condition(t, c, ns, "orders", "Accepted"); strings.Contains(got, "versioning") {
		t.Errorf("Accepted mentions versioning: %s", got)
	}
	if a := s.expectBackend(t, "orders.example.com", "/v1/orders/7", "blue"); a.Path != "/orders/7" {
		t.Errorf("v1 reached the backend as %q, want the segment stripped", a.Path)
	}
	s.expectBackend(t, "orders.example.com", "/v2/orders/7", "green")
	s.expectStatus(t, "orders.example.com", "/v9/orders", 400)

	for _, bad := range []struct{ name, spec, field string }{
		{"undeclared", `versioning: {sources: [{type: Header, name: X-V}], versions: [{name: "1"}]}
  rules: [{name: r, matches: [{path: {value: /}, version: "2"}], backends: [{name: blue, port: 80}]}]`,
			"version must name one of versioning.versions"},
		{"sunset", `versioning: {sources: [{type: Header, name: X-V}],
    versions: [{name: "1", deprecation: "2026-06-01T00:00:00Z", sunset: "2026-01-01T00:00:00Z"}]}
  rules: [{name: r, backends: [{name: blue, port: 80}]}]`,
			"sunset must be after deprecation"},
	} {
		out, err := c.Run("apiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: "+bad.name+
			"}\nspec:\n  "+bad.spec+"\n", "kubectl", "-n", ns, "apply", "-f", "-")
		if err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%s: accepted or message lacks %q: %v %s", bad.name, bad.field, err, out)
		}
	}
}
