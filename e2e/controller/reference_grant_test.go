package controllere2e

import (
	"strings"
	"testing"
)

// TestCrossNamespaceBackendNeedsAReferenceGrant: an APIRoute sending to a
// Service of another namespace is not served (503, ResolvedRefs=False,
// reason RefNotPermitted) until that namespace grants it with a
// ReferenceGrant; then real traffic reaches the backend; the grant deleted,
// the route is refused again.
func TestCrossNamespaceBackendNeedsAReferenceGrant(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	other := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{extraArgs: []string{"--watch-namespace", other}})
	serveBackends(t, c, other, "green")
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: cross}
spec:
  hostnames: [cross.example.com]
  rules:
  - name: main
    matches: [{path: {value: /}}]
    backends: [{name: green, namespace: `+other+`, port: 80}]
`)
	const host = "cross.example.com"
	got := waitCondition(t, c, ns, "cross", "ResolvedRefs", "False/RefNotPermitted/")
	if want := "Service " + other + "/green: a reference from namespace " + ns + " to namespace " +
		other + " needs a ReferenceGrant in " + other; !strings.Contains(got, want) {
		t.Errorf("ResolvedRefs message %q lacks %q", got, want)
	}
	s.expectStatus(t, host, "/orders", 503)

	grant := `apiVersion: archway.dev/v1alpha1
kind: ReferenceGrant
metadata: {name: shop-to-green}
spec:
  from: [{kind: APIRoute, namespace: ` + ns + `}]
  to: [{kind: Service, name: green}]
`
	c.Apply(t, other, grant)
	waitCondition(t, c, ns, "cross", "ResolvedRefs", "True")
	if a := s.expectBackend(t, host, "/orders", "green"); a.Path != "/orders" {
		t.Errorf("backend saw path %q", a.Path)
	}

	c.Kubectl(t, "-n", other, "delete", "referencegrant.archway.dev", "shop-to-green")
	waitCondition(t, c, ns, "cross", "ResolvedRefs", "False/RefNotPermitted/")
	s.expectStatus(t, host, "/orders", 503)
}
