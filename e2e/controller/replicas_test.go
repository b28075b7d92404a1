package controllere2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/procs"
)

// programmedReplicas reads status.programmedReplicas and the Programmed
// condition as "2/3 False/ReplicasPending/message".
func programmedReplicas(t *testing.T, s *Stack, route string) string {
	t.Helper()
	out, _ := s.c.TryKubectl("-n", s.NS, "get", "apiroute", route, "-o", "jsonpath={.status.programmedReplicas}")
	return strings.TrimSpace(out) + " " + condition(t, s.c, s.NS, route, "Programmed")
}

func waitProgrammedReplicas(t *testing.T, s *Stack, route, prefix string) string {
	t.Helper()
	var got string
	eventually(t, 45*time.Second, route+" programmedReplicas "+prefix, func() string {
		if got = programmedReplicas(t, s, route); strings.HasPrefix(got, prefix) {
			return ""
		}
		return got
	})
	return got
}

// restartProxy starts the stack's proxy again on the same socket and ports.
func (s *Stack) restartProxy(t *testing.T) {
	t.Helper()
	s.Proxy = procs.Start(t, "proxy-again", s.dir, filepath.Join(buildDir(), "proxy", "archway-proxy"),
		s.Proxy.Cmd.Args[1:]...)
}

// Programmed across replicas (issue 18, docs/status.md "Replicas"): three
// controller + proxy pairs, one leader. A generation is Programmed only
// once every live replica's proxy serves it; a replica whose proxy is down
// is named and the count says 2/3; it comes back → 3/3; a replica killed
// stops being counted once its Lease expires, and its Lease is removed.
func TestProgrammedAcrossReplicas(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	a := startStack(t, c, ns, stackOpts{identity: "replica-a", leaseDuration: "3s"})
	waitLeader(t, c, ns, "replica-a")
	serveBackends(t, c, ns, "blue", "green")
	c.Apply(t, ns, routeYAML("r", "replicas.example.com", "/v1", "blue"))
	waitProgrammedReplicas(t, a, "r", "1/1 True/Programmed")
	if got := programmedReplicas(t, a, "r"); strings.Contains(got, "replica") {
		t.Errorf("one replica: %q", got)
	}

	b := startStack(t, c, ns, stackOpts{identity: "replica-b", leaseDuration: "3s"})
	cc := startStack(t, c, ns, stackOpts{identity: "replica-c", leaseDuration: "3s"})
	waitProgrammedReplicas(t, a, "r", "3/3 True/Programmed")
	for _, s := range []*Stack{a, b, cc} {
		s.expectBackend(t, "replicas.example.com", "/v1", "blue")
	}
	seconds, _ := c.TryKubectl("-n", ns, "get", "apiroute", "r", "-o", "jsonpath={.status.programmedSeconds}")
	if strings.TrimSpace(seconds) == "" {
		t.Errorf("no status.programmedSeconds")
	}

	// replica-c's proxy stops: a new generation is served by a and b only.
	cc.Proxy.Kill()
	c.Apply(t, ns, routeYAML("r", "replicas.example.com", "/v2", "green"))
	got := waitProgrammedReplicas(t, a, "r", "2/3 False/ReplicasPending/")
	if !strings.Contains(got, "replica-c (") || strings.Contains(got, "replica-b (") {
		t.Errorf("the condition must name replica-c only: %q", got)
	}
	a.expectBackend(t, "replicas.example.com", "/v2", "green")
	b.expectBackend(t, "replicas.example.com", "/v2", "green")

	// It comes back: its controller pushes again, and all three serve.
	cc.restartProxy(t)
	waitProgrammedReplicas(t, a, "r", "3/3 True/Programmed")
	cc.expectBackend(t, "replicas.example.com", "/v2", "green")

	// replica-b is killed (no clean stop): counted until its Lease expires,
	// then not; its Lease is deleted by a peer after three lease durations.
	b.Controller.Kill()
	b.Proxy.Kill()
	c.Apply(t, ns, routeYAML("r", "replicas.example.com", "/v3", "blue"))
	waitProgrammedReplicas(t, a, "r", "2/2 True/Programmed")
	eventually(t, 30*time.Second, "replica-b's Lease removed", func() string {
		out, _ := c.TryKubectl("-n", ns, "get", "lease", "-l", "archway.dev/replica-of=archway-controller",
			"-o", "jsonpath={.items[*].spec.holderIdentity}")
		if strings.Contains(out, "replica-b") {
			return "leases held by " + out
		}
		if !strings.Contains(out, "replica-a") || !strings.Contains(out, "replica-c") {
			return fmt.Sprintf("live replicas' Leases missing: %q", out)
		}
		return ""
	})

	// A clean stop deletes the replica's own Lease at once.
	if code := cc.Controller.Terminate(10 * time.Second); code != 0 {
		t.Errorf("replica-c exited %d", code)
	}
	out, _ := c.TryKubectl("-n", ns, "get", "lease", "-l", "archway.dev/replica-of=archway-controller",
		"-o", "jsonpath={.items[*].spec.holderIdentity}")
	if strings.Contains(out, "replica-c") {
		t.Errorf("replica-c's Lease is still there after a clean stop: %q", out)
	}
}
