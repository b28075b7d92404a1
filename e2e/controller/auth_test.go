package controllere2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auth through the real API server, as this proxy version stands: each auth
// method is enforced only once the proxy lists it (enforcement.cc:
// "auth.apiKey"), and until then a rule using it refuses the whole route
// (PolicyNotEnforced, naming the method) rather than serving it without
// authentication. The API key in the Secret never reaches the proxy's
// persisted snapshot. Once the proxy enforces auth.apiKey, this test turns
// into the served case (digests in the snapshot, SecretNotFound when the
// Secret goes, served again when it is back): docs/auth.md "Configuration".
func TestAuthAPIKeyRouteIsRefusedUntilTheProxyEnforcesIt(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")
	const key = "s3cr3t-key"
	c.Kubectl(t, "-n", ns, "create", "secret", "generic", "api-keys", "--from-literal=alice="+key)

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: keyed}
spec:
  hostnames: [keyed.example.com]
  rules:
  - name: guarded
    matches: [{path: {value: /private}}]
    auth: {apiKey: {secretRef: {name: api-keys}}}
    backends: [{name: blue, port: 80}]
  - name: open
    matches: [{path: {value: /public}}]
    backends: [{name: blue, port: 80}]
`)
	got := waitCondition(t, c, ns, "keyed", "Accepted", "False/PolicyNotEnforced")
	if !strings.Contains(got, "spec.rules[0].auth") || !strings.Contains(got, "auth.apiKey") {
		t.Errorf("message does not name the field and the method: %s", got)
	}
	if strings.Contains(got, key) {
		t.Errorf("the condition holds the key: %s", got)
	}

	// A route beside it is served, so a snapshot has been pushed and
	// persisted; the refused route has nothing in it (fail closed).
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: plain}
spec:
  hostnames: [plain.example.com]
  rules: [{name: r, backends: [{name: blue, port: 80}]}]
`)
	s.expectBackend(t, "plain.example.com", "/", "blue")
	s.expectStatus(t, "keyed.example.com", "/public", 404)
	s.expectStatus(t, "keyed.example.com", "/private", 404)

	state, err := os.ReadFile(filepath.Join(s.dir, "state", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, leaked := range []string{key, base64.StdEncoding.EncodeToString([]byte(key))} {
		if strings.Contains(string(state), leaked) {
			t.Errorf("the proxy's state file holds the API key (%q)", leaked)
		}
	}

	// Deleting the Secret changes nothing of the verdict: the method is
	// judged before its Secrets.
	c.Kubectl(t, "-n", ns, "delete", "secret", "api-keys")
	s.expectStatus(t, "keyed.example.com", "/public", 404)
	if got := condition(t, c, ns, "keyed", "Accepted"); !strings.HasPrefix(got, "False/PolicyNotEnforced") {
		t.Errorf("after the Secret is deleted: %s", got)
	}
}
