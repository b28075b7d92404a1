package controllere2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/procs"
)

func regexRouteYAML(name, host, regex, svc string) string {
	return routeYAMLOfType(name, host, "RegularExpression", regex, svc)
}

// programmedAt reads "status/observedGeneration" of an APIRoute's
// Programmed condition.
func programmedAt(t *testing.T, c *cluster.Cluster, ns, route string) string {
	t.Helper()
	out, err := c.TryKubectl("-n", ns, "get", "apiroute", route, "-o",
		`jsonpath={.status.conditions[?(@.type=="Programmed")].status}/{.status.conditions[?(@.type=="Programmed")].observedGeneration}`)
	if err != nil {
		return "error: " + err.Error()
	}
	return out
}

// events lists "type reason note" of the Events on one object (kubectl
// reads them through core/v1, where the note is the message).
func events(c *cluster.Cluster, ns, kind, name string) string {
	out, _ := c.TryKubectl("-n", ns, "get", "events", "--field-selector",
		"involvedObject.kind="+kind+",involvedObject.name="+name, "-o",
		`jsonpath={range .items[*]}{.type} {.reason} {.message}{"\n"}{end}`)
	return out
}

// An APIRoute whose new generation is invalid keeps serving its last good
// generation through 20 pushes caused by other objects and through a
// controller restart (the restarted controller knows nothing but what the
// API server holds); once fixed, the new generation serves.
func TestLastKnownGoodSurvivesPushesAndRestart(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green", "other")
	c.Apply(t, ns, regexRouteYAML("keep", "keep.example.com", "^/v1/.*$", "blue"))
	if err := c.WaitCondition(ns, "apiroute/keep", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	s.expectBackend(t, "keep.example.com", "/v1/x", "blue")

	c.Apply(t, ns, regexRouteYAML("keep", "keep.example.com", "/(unclosed", "green"))
	waitCondition(t, c, ns, "keep", "Accepted", "False/InvalidRegex")
	got := waitCondition(t, c, ns, "keep", "Programmed", "False/StaleGeneration")
	if !strings.Contains(got, "generation 1") {
		t.Errorf("StaleGeneration message does not name the generation serving: %s", got)
	}
	eventually(t, 20*time.Second, "the Warning Event says the old generation serves", func() string {
		if e := events(c, ns, "APIRoute", "keep"); strings.Contains(e, "Warning InvalidRegex") &&
			strings.Contains(e, "keeps serving") {
			return ""
		} else {
			return e
		}
	})

	// stillServed fails at once when keep's last good generation is not
	// answering: there is no grace period for a route that must not drop.
	stillServed := func(when string) {
		t.Helper()
		if code, a, body := s.get("keep.example.com", "/v1/x"); code != 200 || a.Name != "blue" {
			t.Fatalf("%s: keep.example.com/v1/x answered HTTP %d %s", when, code, body)
		}
	}
	for i := 1; i <= 20; i++ {
		path := fmt.Sprintf("/p%d", i)
		c.Apply(t, ns, routeYAML("other", "other.example.com", path, "other"))
		s.expectBackend(t, "other.example.com", path, "other") // this push is live
		stillServed(fmt.Sprintf("after push %d", i))
	}

	// A restarted controller: nothing in memory. Its first snapshot, and
	// the ones after, still hold keep's generation 1.
	s.Controller.Kill()
	s.Controller = procs.Start(t, "controller-restarted", filepath.Dir(s.Controller.Log),
		filepath.Join(buildDir(), "controller", "archway-controller"), s.controllerArgs()...)
	eventually(t, 30*time.Second, "restarted controller ready", func() string {
		if code := s.probe("/readyz"); code != 200 {
			return fmt.Sprintf("/readyz %d", code)
		}
		return ""
	})
	stillServed("after the restart's first push")
	c.Apply(t, ns, routeYAML("other", "other.example.com", "/after-restart", "other"))
	s.expectBackend(t, "other.example.com", "/after-restart", "other")
	stillServed("after a push by the restarted controller")
	waitCondition(t, c, ns, "keep", "Programmed", "False/StaleGeneration")

	// Fixed: the new generation serves, and is the one Programmed.
	c.Apply(t, ns, regexRouteYAML("keep", "keep.example.com", "^/v2/.*$", "green"))
	s.expectBackend(t, "keep.example.com", "/v2/x", "green")
	s.expectStatus(t, "keep.example.com", "/v1/x", 404)
	eventually(t, 30*time.Second, "keep Programmed at generation 3", func() string {
		if got := programmedAt(t, c, ns, "keep"); got != "True/3" {
			return got
		}
		return ""
	})
	eventually(t, 20*time.Second, "a Normal Programmed Event per served generation", func() string {
		e := events(c, ns, "APIRoute", "keep")
		if strings.Contains(e, "Normal Programmed generation 1 is served") &&
			strings.Contains(e, "Normal Programmed generation 3 is served") {
			return ""
		}
		return e
	})
}

// Programmed is per generation: when the proxy is gone, a new generation
// is not Programmed, though an earlier one was ACKed.
func TestProgrammedOnlyForAGenerationTheProxyACKed(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")
	c.Apply(t, ns, routeYAML("r", "gen.example.com", "/a", "blue"))
	if err := c.WaitCondition(ns, "apiroute/r", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	s.Proxy.Kill()
	c.Apply(t, ns, routeYAML("r", "gen.example.com", "/b", "blue"))
	eventually(t, 30*time.Second, "generation 2 observed", func() string {
		out, _ := c.TryKubectl("-n", ns, "get", "apiroute", "r", "-o", "jsonpath={.status.observedGeneration}")
		if strings.TrimSpace(out) == "2" {
			return ""
		}
		return "observedGeneration " + out
	})
	// The status publisher may be a beat behind observedGeneration: read a
	// few times; Programmed must never say True for generation 2.
	for i := 0; i < 20; i++ {
		if got := programmedAt(t, c, ns, "r"); got == "True/2" {
			t.Fatalf("Programmed=True for generation 2, which no proxy received")
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := waitCondition(t, c, ns, "r", "Programmed", "False/Pending")
	if !strings.Contains(got, "unreachable") {
		t.Errorf("Pending message does not say why: %s", got)
	}
}

func ingressYAML(name, host, backend string) string {
	return fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: %s}
spec:
  ingressClassName: archway
  rules:
  - host: %s
    http:
      paths:
      - {path: /, pathType: Prefix, backend: %s}
`, name, host, backend)
}

// An Ingress whose new generation is invalid keeps its old rules serving,
// says so in a Warning Event, and still does after a controller restart
// and a push by the restarted controller.
func TestIngressKeepsItsLastGoodRules(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "other")
	c.Apply(t, ns, ingressYAML("web", "web.example.com", "{service: {name: blue, port: {number: 80}}}"))
	s.expectBackend(t, "web.example.com", "/", "blue")
	// A Resource backend: valid for the API server, refused by Archway.
	c.Apply(t, ns, ingressYAML("web", "web.example.com", "{resource: {apiGroup: example.io, kind: Bucket, name: b}}"))
	eventually(t, 20*time.Second, "a Warning Event that generation 1 keeps serving", func() string {
		if e := events(c, ns, "Ingress", "web"); strings.Contains(e, "Warning UnsupportedValue") &&
			strings.Contains(e, "generation 1, the last accepted one, keeps serving") {
			return ""
		} else {
			return e
		}
	})
	s.Controller.Kill()
	s.Controller = procs.Start(t, "controller-restarted", filepath.Dir(s.Controller.Log),
		filepath.Join(buildDir(), "controller", "archway-controller"), s.controllerArgs()...)
	c.Apply(t, ns, routeYAML("other", "other.example.com", "/", "other"))
	s.expectBackend(t, "other.example.com", "/", "other") // the restarted controller pushed
	if code, a, body := s.get("web.example.com", "/"); code != 200 || a.Name != "blue" {
		t.Fatalf("web.example.com after the restart: HTTP %d %s", code, body)
	}
}
