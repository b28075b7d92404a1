package controllere2e

import (
	"archway.dev/e2e/internal/procs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
)

// pauseAPIServer freezes kube-apiserver (SIGSTOP) and returns a function
// that resumes it (SIGCONT). e2e/cluster has no stop/start of one daemon;
// freezing is the harsher fault for a client (connections hang instead of
// being refused), and the PID file is the cluster package's documented
// Dir/NAME.pid.
func pauseAPIServer(t *testing.T, c *cluster.Cluster) func() {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(c.Dir, "kube-apiserver.pid"))
	if err != nil {
		t.Fatalf("kube-apiserver pid: %v", err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	return resume
}

// The API server goes away and comes back; the controller dies: the proxy
// keeps serving throughout, and the controller resyncs.
func TestFaults(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	blue := backend.Start(t, "blue", "127.0.0.1")
	green := backend.Start(t, "green", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("blue", 80, blue))
	c.Apply(t, ns, backend.ServiceManifest("green", 80, green))
	c.Apply(t, ns, routeYAML("r", "faults.example.com", "/", "blue"))
	c.Kubectl(t, "-n", ns, "wait", "--for=condition=Ready", "--timeout=60s", "apiroute/r")
	s.expectBackend(t, "faults.example.com", "/", "blue")

	resume := pauseAPIServer(t, c)
	for i := 0; i < 30; i++ { // 3 s without an API server
		if code, a, body := s.get("faults.example.com", "/"); code != 200 || a.Name != "blue" {
			t.Fatalf("API server paused: HTTP %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	resume()
	// The controller resyncs: a change made after the outage reaches traffic.
	c.Apply(t, ns, routeYAML("r", "faults.example.com", "/", "green"))
	s.expectBackend(t, "faults.example.com", "/", "green")

	s.Controller.Kill()
	for i := 0; i < 20; i++ {
		if code, a, body := s.get("faults.example.com", "/"); code != 200 || a.Name != "green" {
			t.Fatalf("controller killed: HTTP %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two replicas (each with its own proxy) share one Lease: both program
// their proxies, exactly one writes status, and when it dies the other takes
// over within the lease duration.
func TestTwoReplicas(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	a := startStack(t, c, ns, stackOpts{identity: "replica-a", leaseDuration: "3s"})
	waitLeader(t, c, ns, "replica-a")
	b := startStack(t, c, ns, stackOpts{identity: "replica-b", leaseDuration: "3s"})
	blue := backend.Start(t, "blue", "127.0.0.1")
	c.Apply(t, ns, backend.ServiceManifest("blue", 80, blue))
	c.Apply(t, ns, routeYAML("r", "ha.example.com", "/", "blue"))
	c.Kubectl(t, "-n", ns, "wait", "--for=condition=Ready", "--timeout=60s", "apiroute/r")
	a.expectBackend(t, "ha.example.com", "/", "blue")
	b.expectBackend(t, "ha.example.com", "/", "blue")

	managers := c.Kubectl(t, "-n", ns, "get", "apiroute", "r", "--show-managed-fields", "-o",
		`jsonpath={range .metadata.managedFields[?(@.subresource=="status")]}{.manager}{"\n"}{end}`)
	if n := len(strings.Fields(managers)); n > 1 {
		t.Errorf("status written by %d managers: %q", n, managers)
	}
	if strings.Contains(logOf(t, b.Controller), "is the leader") {
		t.Errorf("replica-b claims leadership while replica-a leads")
	}

	killed := time.Now()
	a.Controller.Kill()
	waitLeader(t, c, ns, "replica-b")
	if took := time.Since(killed); took > 3*time.Second+2*time.Second {
		t.Errorf("failover took %v (lease 3s)", took)
	}
	// The new leader writes status: a broken route gets its condition.
	c.Apply(t, ns, routeYAML("r2", "ha2.example.com", "/", "nowhere"))
	waitCondition(t, c, ns, "r2", "ResolvedRefs", "False/BackendNotFound")
}

func waitLeader(t *testing.T, c *cluster.Cluster, ns, who string) {
	t.Helper()
	eventually(t, 15*time.Second, "lease held by "+who, func() string {
		out, _ := c.TryKubectl("-n", ns, "get", "lease", "archway-controller", "-o", "jsonpath={.spec.holderIdentity}")
		if strings.TrimSpace(out) == who {
			return ""
		}
		return "holder " + out
	})
}

func logOf(t *testing.T, p *procs.Proc) string {
	t.Helper()
	data, _ := os.ReadFile(p.Log)
	return string(data)
}
