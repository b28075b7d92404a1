package controllere2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

func routeYAML(name, host, path, svc string) string {
	return routeYAMLOfType(name, host, "PathPrefix", path, svc)
}

// routeYAMLOfType: one rule "main" with one path match of pathType.
func routeYAMLOfType(name, host, pathType, path, svc string) string {
	return fmt.Sprintf(`apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: %s}
spec:
  hostnames: [%s]
  rules:
  - name: main
    matches: [{path: {type: %s, value: %q}}]
    backends: [{name: %s, port: 80}]
`, name, host, pathType, path, svc)
}

// Apply → Ready → traffic; edit → new behaviour; scale → traffic follows;
// delete → 404.
func TestAPIRouteLifecycle(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	green := serveBackends(t, c, ns, "blue", "green")["green"]
	c.Apply(t, ns, routeYAML("shop", "shop.example.com", "/api", "blue"))
	if err := c.WaitCondition(ns, "apiroute/shop", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	// A Ready route means synced informers and an ACKed snapshot: the
	// controller's probes say so.
	if code := s.probe("/healthz"); code != 200 {
		t.Errorf("controller /healthz: %d", code)
	}
	if code := s.probe("/readyz"); code != 200 {
		t.Errorf("controller /readyz: %d", code)
	}
	a := s.expectBackend(t, "shop.example.com", "/api/orders?x=1", "blue")
	if a.Path != "/api/orders" || a.Query != "x=1" || a.Method != "GET" {
		t.Errorf("backend saw %+v", a)
	}
	s.expectStatus(t, "shop.example.com", "/other", 404)
	s.expectStatus(t, "elsewhere.example.com", "/api", 404)

	// Edit: another path and another backend.
	c.Apply(t, ns, routeYAML("shop", "shop.example.com", "/v2", "green"))
	s.expectBackend(t, "shop.example.com", "/v2/x", "green")
	s.expectStatus(t, "shop.example.com", "/api/orders", 404)
	waitCondition(t, c, ns, "shop", "Programmed", "True/Programmed")
	gen := strings.TrimSpace(c.Kubectl(t, "-n", ns, "get", "apiroute", "shop", "-o", "jsonpath={.status.observedGeneration}"))
	if gen != "2" {
		t.Errorf("observedGeneration %q, want 2", gen)
	}

	// Scale green: a second endpoint joins; both answer.
	green2 := backend.Start(t, "green2", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("green", 80, green, green2))
	seen := map[string]bool{}
	eventually(t, 20*time.Second, "both endpoints answer", func() string {
		_, a, _ := s.get("shop.example.com", "/v2")
		seen[a.Name] = true
		if seen["green"] && seen["green2"] {
			return ""
		}
		return fmt.Sprintf("seen %v", seen)
	})
	// Scale down: only green2 remains.
	c.Kubectl(t, "-n", ns, "delete", "endpointslice", backend.SliceName("green", green))
	eventually(t, 20*time.Second, "only green2 answers", func() string {
		for i := 0; i < 10; i++ {
			if _, a, body := s.get("shop.example.com", "/v2"); a.Name != "green2" {
				return "answered by " + a.Name + " " + body
			}
		}
		return ""
	})

	c.Kubectl(t, "-n", ns, "delete", "apiroute", "shop")
	s.expectStatus(t, "shop.example.com", "/v2", 404)

	if code := s.Controller.Terminate(10 * time.Second); code != 0 {
		t.Errorf("controller exit code on SIGTERM: %d", code)
	}
}

// What only the controller can judge, next to a route that keeps serving.
func TestInvalidInput(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("blue", 80, blue))
	c.Apply(t, ns, routeYAML("good", "good.example.com", "/", "blue"))
	if err := c.WaitCondition(ns, "apiroute/good", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}

	// The schema refuses what it can express, naming the field.
	out, err := c.Run(`apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: schema}
spec:
  rules:
  - name: r
    backends: [{name: blue, port: 80, weight: -5}]
`, "kubectl", "-n", ns, "apply", "-f", "-")
	if err == nil || !strings.Contains(err.Error(), "weight") {
		t.Errorf("schema violation accepted or message lacks the field: %v %s", err, out)
	}

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: bad-regex}
spec:
  hostnames: [bad.example.com]
  rules:
  - name: r
    matches: [{path: {type: RegularExpression, value: "/(unclosed"}}]
    backends: [{name: blue, port: 80}]
`)
	got := waitCondition(t, c, ns, "bad-regex", "Accepted", "False/InvalidRegex")
	if !strings.Contains(got, "spec.rules[0].matches[0].path.value") {
		t.Errorf("message does not name the field: %s", got)
	}
	waitCondition(t, c, ns, "bad-regex", "Ready", "False")
	s.expectBackend(t, "good.example.com", "/still", "blue")

	c.Apply(t, ns, routeYAML("ghost", "ghost.example.com", "/", "no-such-service"))
	got = waitCondition(t, c, ns, "ghost", "ResolvedRefs", "False/BackendNotFound")
	if !strings.Contains(got, "no-such-service") {
		t.Errorf("message does not name the Service: %s", got)
	}
	s.expectStatus(t, "ghost.example.com", "/", 503)

	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: nosecret}
spec:
  hostnames: [nosecret.example.com]
  tls: {secretName: missing-tls}
  rules: [{name: r, backends: [{name: blue, port: 80}]}]
`)
	got = waitCondition(t, c, ns, "nosecret", "ResolvedRefs", "False/SecretNotFound")
	if !strings.Contains(got, "missing-tls") {
		t.Errorf("message does not name the Secret: %s", got)
	}

	// A conflict: the younger route loses and names the winner.
	c.Apply(t, ns, routeYAML("younger", "good.example.com", "/", "blue"))
	got = waitCondition(t, c, ns, "younger", "Accepted", "False/Conflicted")
	if !strings.Contains(got, "APIRoute "+ns+"/good") {
		t.Errorf("conflict message does not name the winner: %s", got)
	}

	eventually(t, 20*time.Second, "Warning events in kubectl describe", func() string {
		out, _ := c.TryKubectl("-n", ns, "describe", "apiroute", "bad-regex")
		if strings.Contains(out, "Warning") && strings.Contains(out, "InvalidRegex") {
			return ""
		}
		return out
	})
	s.expectBackend(t, "good.example.com", "/", "blue")
}
