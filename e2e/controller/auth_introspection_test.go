package controllere2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auth.oauth2Introspection through the real API server now that the proxy
// enforces it: the route is Accepted with its clientSecretRef resolved, its
// guarded rule asks for a token (401 without one; the endpoint is never
// called for that), the client secret reaches the proxy's snapshot but no
// condition; the Secret deleted closes only that rule (ResolvedRefs=False,
// SecretNotFound, 503) and the rule serves again when it is back.
func TestAuthIntrospectionRouteIsAcceptedAndEnforced(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")
	const secret = "intro-s3cret"
	createSecret := func() {
		c.Kubectl(t, "-n", ns, "create", "secret", "generic", "introspection",
			"--from-literal=client-id=archway", "--from-literal=client-secret="+secret)
	}
	createSecret()

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: opaque}
spec:
  hostnames: [opaque.example.com]
  rules:
  - name: guarded
    matches: [{path: {value: /private}}]
    auth:
      oauth2Introspection:
        endpoint: http://127.0.0.1:9/admin/oauth2/introspect
        clientSecretRef: {name: introspection}
        requiredScopes: [orders.read]
        cacheTTL: 5s
    backends: [{name: blue, port: 80}]
  - name: open
    matches: [{path: {value: /public}}]
    backends: [{name: blue, port: 80}]
`)
	waitCondition(t, c, ns, "opaque", "Accepted", "True/")
	waitCondition(t, c, ns, "opaque", "ResolvedRefs", "True/")
	s.expectBackend(t, "opaque.example.com", "/public", "blue")
	s.expectStatus(t, "opaque.example.com", "/private", 401)
	if got := condition(t, c, ns, "opaque", "Accepted"); strings.Contains(got, secret) {
		t.Errorf("the condition holds the client secret: %s", got)
	}
	state, err := os.ReadFile(filepath.Join(s.dir, "state", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), `"oauth2Introspection"`) {
		t.Errorf("the proxy's snapshot has no oauth2Introspection policy")
	}

	c.Kubectl(t, "-n", ns, "delete", "secret", "introspection")
	got := waitCondition(t, c, ns, "opaque", "ResolvedRefs", "False/SecretNotFound")
	if !strings.Contains(got, "clientSecretRef") {
		t.Errorf("message does not name the field: %s", got)
	}
	s.expectStatus(t, "opaque.example.com", "/private", 503)
	s.expectBackend(t, "opaque.example.com", "/public", "blue")

	createSecret()
	waitCondition(t, c, ns, "opaque", "ResolvedRefs", "True/")
	s.expectStatus(t, "opaque.example.com", "/private", 401)
}
