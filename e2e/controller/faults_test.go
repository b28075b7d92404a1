package controllere2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
	"archway.dev/e2e/internal/procs"
)

// pauseAPIServer freezes kube-apiserver (SIGSTOP) and returns a function
// that resumes it (SIGCONT). Unlike StopAPIServer, clients' connections
// stay open and hang instead of being refused.
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

// freeze stops p with SIGSTOP and returns a function that resumes it; the
// resume also runs when t ends.
func freeze(t *testing.T, p *procs.Proc) func() {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = p.Cmd.Process.Signal(syscall.SIGCONT)
		}
	}
	t.Cleanup(resume)
	return resume
}

// traffic sends requests through the proxy every 20 ms from a goroutine
// and counts those not answered 200 by the backend want.
type traffic struct {
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	total    int
	failures []string
}

func startTraffic(s *Stack, host, path, want string) *traffic {
	tr := &traffic{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(tr.done)
		deadline := time.Now().Add(3 * time.Minute)
		for i := 0; i < 10000 && time.Now().Before(deadline); i++ { // bounded whatever the test does
			code, a, body := s.get(host, path)
			tr.mu.Lock()
			tr.total++
			if code != 200 || a.Name != want {
				tr.failures = append(tr.failures, fmt.Sprintf("%s: HTTP %d from %q: %s",
					time.Now().Format("15:04:05.000"), code, a.Name, strings.TrimSpace(body)))
			}
			tr.mu.Unlock()
			select {
			case <-tr.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return tr
}

// finish stops the traffic and fails t unless every request (at least
// atLeast of them) was answered 200 by the wanted backend.
func (tr *traffic) finish(t *testing.T, what string, atLeast int) {
	t.Helper()
	close(tr.stop)
	<-tr.done
	tr.mu.Lock()
	defer tr.mu.Unlock()
	t.Logf("%s: %d requests, %d failed", what, tr.total, len(tr.failures))
	if len(tr.failures) > 0 {
		t.Errorf("%s: %d of %d requests failed; first: %s", what, len(tr.failures), tr.total,
			strings.Join(tr.failures[:min(5, len(tr.failures))], "; "))
	}
	if tr.total < atLeast {
		t.Errorf("%s: only %d requests, want at least %d", what, tr.total, atLeast)
	}
}

// logSince returns what p logged after offset bytes.
func logSince(t *testing.T, p *procs.Proc, offset int) string {
	t.Helper()
	log := logOf(t, p)
	if offset > len(log) {
		return ""
	}
	return log[offset:]
}

// The API server hangs, then really stops and starts again; the controller
// dies: the proxy keeps serving throughout, and after the restart the
// controller reconnects and applies a change made at once.
func TestFaults(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green")
	c.Apply(t, ns, routeYAML("r", "faults.example.com", "/", "blue"))
	if err := c.WaitCondition(ns, "apiroute/r", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	s.expectBackend(t, "faults.example.com", "/", "blue")

	// Frozen (SIGSTOP) for 2 s: the controller's connections hang.
	tr := startTraffic(s, "faults.example.com", "/", "blue")
	resume := pauseAPIServer(t, c)
	time.Sleep(2 * time.Second)
	resume()
	tr.finish(t, "API server frozen", 30)
	c.Apply(t, ns, routeYAML("r", "faults.example.com", "/", "green"))
	s.expectBackend(t, "faults.example.com", "/", "green")

	// Really stopped (SIGTERM, exited) for 3 s, then started again with the
	// same flags, port and etcd.
	logBefore := len(logOf(t, s.Controller))
	tr = startTraffic(s, "faults.example.com", "/", "green")
	began := time.Now()
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	time.Sleep(3 * time.Second)
	if out, err := c.TryKubectl("get", "ns", ns, "--request-timeout=2s"); err == nil {
		t.Fatalf("API server answers while stopped: %s", out)
	}
	restarting := time.Now()
	if err := c.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	ready := time.Now()
	tr.finish(t, "API server stopped and restarted", 100)
	t.Logf("outage: stop %v, down %v, start until /readyz %v",
		stopped.Sub(began).Round(time.Millisecond), restarting.Sub(stopped).Round(time.Millisecond),
		ready.Sub(restarting).Round(time.Millisecond))

	// The controller noticed: its watches ended while the API server was away.
	if away := logSince(t, s.Controller, logBefore); !strings.Contains(away, "watch failed") &&
		!strings.Contains(away, "list failed") {
		t.Errorf("controller log shows no failed watch or list during the outage:\n%s", away)
	}
	// A change made at once reaches traffic: the controller reconnected and
	// watches again. Its watch backoff grew during the outage (100 ms
	// doubling, at most 30 s), hence the longer wait.
	c.Apply(t, ns, routeYAML("r", "faults.example.com", "/", "blue"))
	applied := time.Now()
	eventually(t, 45*time.Second, "change after restart reaches traffic", func() string {
		if code, a, body := s.get("faults.example.com", "/"); code != 200 || a.Name != "blue" {
			return fmt.Sprintf("HTTP %d %s", code, strings.TrimSpace(body))
		}
		return ""
	})
	t.Logf("change applied after restart reached traffic in %v", time.Since(applied).Round(time.Millisecond))
	waitCondition(t, c, ns, "r", "Ready", "True")

	s.Controller.Kill()
	for i := 0; i < 20; i++ {
		if code, a, body := s.get("faults.example.com", "/"); code != 200 || a.Name != "blue" {
			t.Fatalf("controller killed: HTTP %d %s", code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var expiredRelist = regexp.MustCompile(`APIRoute: resourceVersion (\d+) expired; relisting`)

// A watch whose resourceVersion was compacted away gets 410 Gone; the
// controller relists and loses no update made meanwhile. The test's own
// control plane runs kube-apiserver with --watch-cache=false, so that a
// watch reads etcd and a compaction is what answers 410 (the watch cache
// would otherwise decide on its own window).
func TestWatchExpired(t *testing.T) {
	c := cluster.StartWith(t, cluster.Options{APIServerArgs: []string{"--watch-cache=false"}})
	if err := installBase(c); err != nil {
		t.Fatal(err)
	}
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green")
	c.Apply(t, ns, routeYAML("r", "expired.example.com", "/", "blue"))
	c.Apply(t, ns, routeYAML("gone", "gone.example.com", "/", "blue"))
	for _, r := range []string{"r", "gone"} {
		if err := c.WaitCondition(ns, "apiroute/"+r, "Ready", 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	s.expectBackend(t, "expired.example.com", "/", "blue")
	s.expectBackend(t, "gone.example.com", "/", "blue")
	staleRV := strings.TrimSpace(c.Kubectl(t, "-n", ns, "get", "apiroute", "r", "-o", "jsonpath={.metadata.resourceVersion}"))

	// The controller's watches go stale: it is frozen, and the API server
	// restarts under it, so each watch must start again from the
	// resourceVersion it last saw.
	resume := freeze(t, s.Controller)
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	if err := c.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	// Several updates while it is away, the last one distinguishable; a
	// delete and a create too.
	c.Kubectl(t, "-n", ns, "label", "apiroute", "r", "rev=1")
	c.Kubectl(t, "-n", ns, "label", "apiroute", "r", "rev=2", "--overwrite")
	c.Apply(t, ns, routeYAML("r", "expired.example.com", "/", "green"))
	c.Kubectl(t, "-n", ns, "delete", "apiroute", "gone")
	c.Apply(t, ns, routeYAML("fresh", "fresh.example.com", "/", "green"))
	rev, err := c.CompactEtcd()
	if err != nil {
		t.Fatal(err)
	}
	// The fault is real: a watch from before the compaction is refused.
	watch, _ := c.TryKubectl("get", "--raw", fmt.Sprintf(
		"/apis/archway.dev/v1alpha1/namespaces/%s/apiroutes?watch=1&resourceVersion=%s&timeoutSeconds=2", ns, staleRV))
	if !strings.Contains(watch, `"code":410`) {
		t.Fatalf("etcd compacted at revision %d, yet a watch from resourceVersion %s got no 410: %.500s", rev, staleRV, watch)
	}
	t.Logf("etcd compacted at revision %d; a watch from %s answers 410", rev, staleRV)

	logBefore := len(logOf(t, s.Controller))
	resumed := time.Now()
	resume()
	s.expectBackend(t, "expired.example.com", "/", "green")
	s.expectBackend(t, "fresh.example.com", "/", "green")
	s.expectStatus(t, "gone.example.com", "/", 404)
	t.Logf("after the controller resumed, traffic reflected every update in %v", time.Since(resumed).Round(time.Millisecond))

	after := logSince(t, s.Controller, logBefore)
	m := expiredRelist.FindStringSubmatch(after)
	if m == nil {
		t.Fatalf("controller log shows no expired watch and relist for APIRoute:\n%s", after)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n >= rev {
		t.Errorf("relist after resourceVersion %d, not older than the compaction at %d", n, rev)
	}
	waitCondition(t, c, ns, "r", "Ready", "True")
	waitCondition(t, c, ns, "fresh", "Ready", "True")
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
	if err := c.WaitCondition(ns, "apiroute/r", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
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
