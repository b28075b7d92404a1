package cluster

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Stop leaves no process and no files behind, and the cluster answered as
// admin before it.
func TestStopKillsEverything(t *testing.T) {
	start := time.Now()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("etcd + kube-apiserver ready in %v", time.Since(start).Round(time.Millisecond))
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			c.Stop()
		}
	})

	admin, err := c.adminClient()
	if err != nil {
		t.Fatal(err)
	}
	if body, code := get(admin, c.Server+"/version"); code != http.StatusOK || !strings.Contains(body, `"gitVersion": "v1.34.`) {
		t.Fatalf("GET /version = %d %s", code, body)
	}
	// Without a client certificate the request is anonymous and RBAC denies it.
	if _, code := get(&http.Client{Transport: &http.Transport{TLSClientConfig: mustTLS(t, c, false)}}, c.Server+"/api/v1/namespaces"); code != http.StatusForbidden {
		t.Fatalf("anonymous list namespaces = %d, want 403", code)
	}

	var pids []int
	for _, name := range []string{"etcd", "kube-apiserver"} {
		pids = append(pids, pidOf(t, c, name))
	}

	stopped = true
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("pid %d still exists after Stop (kill 0: %v)", pid, err)
		}
	}
	if _, err := os.Stat(c.Dir); !keep() && !os.IsNotExist(err) {
		t.Errorf("%s still exists after Stop: %v", c.Dir, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func mustTLS(t *testing.T, c *Cluster, withCert bool) *tls.Config {
	t.Helper()
	cfg, err := c.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !withCert {
		cfg.Certificates = nil
	}
	return cfg
}

// The folder of a control plane whose daemons are all gone is swept; one
// with a live daemon, or kept on purpose, is not.
func TestSweepStale(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	mk := func(pid int, kept bool) string {
		dir, err := os.MkdirTemp("", dirPrefix)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.WriteFile(filepath.Join(dir, "etcd.pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if kept {
			if err := os.WriteFile(filepath.Join(dir, "kept"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	stale := mk(dead.Process.Pid, false)
	live := mk(os.Getpid(), false)
	kept := mk(dead.Process.Pid, true)
	sweepStale()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale folder not swept: %v", err)
	}
	for _, d := range []string{live, kept} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s swept: %v", d, err)
		}
	}
}

// StopAPIServer really ends kube-apiserver and StartAPIServer brings it back
// on the same port, certificates and etcd: objects survive, kubectl works
// again, etcd and the controller-manager ride it out. Stop during a restart
// still leaves no process behind.
func TestAPIServerStopStart(t *testing.T) {
	c, err := New(DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	if _, err := c.TryKubectl("create", "configmap", "survivor", "--from-literal=k=v1"); err != nil {
		t.Fatal(err)
	}
	etcd, kcm, api1 := pidOf(t, c, "etcd"), pidOf(t, c, "kube-controller-manager"), pidOf(t, c, "kube-apiserver")
	if err := c.StartAPIServer(); err == nil {
		t.Fatal("StartAPIServer while it runs: no error")
	}

	start := time.Now()
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	t.Logf("StopAPIServer (SIGTERM until exit) took %v", time.Since(start).Round(time.Millisecond))
	if err := syscall.Kill(api1, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kube-apiserver pid %d still exists after StopAPIServer (kill 0: %v)", api1, err)
	}
	if _, err := os.Stat(filepath.Join(c.Dir, "kube-apiserver.pid")); !os.IsNotExist(err) {
		t.Errorf("kube-apiserver.pid left behind: %v", err)
	}
	if out, err := c.TryKubectl("get", "configmap", "survivor", "--request-timeout=3s"); err == nil {
		t.Fatalf("kubectl works with the API server stopped: %s", out)
	}
	if err := c.StopAPIServer(); err == nil {
		t.Error("StopAPIServer twice: no error")
	}

	start = time.Now()
	if err := c.StartAPIServer(); err != nil {
		t.Fatal(err)
	}
	t.Logf("StartAPIServer (until /readyz) took %v", time.Since(start).Round(time.Millisecond))
	api2 := pidOf(t, c, "kube-apiserver")
	if api2 == api1 {
		t.Errorf("kube-apiserver.pid still names the old process %d", api1)
	}
	if got := c.Kubectl(t, "get", "configmap", "survivor", "-o", "jsonpath={.data.k}"); got != "v1" {
		t.Errorf("configmap after restart: %q, want v1", got)
	}
	c.Kubectl(t, "patch", "configmap", "survivor", "-p", `{"data":{"k":"v2"}}`)
	if got := c.Kubectl(t, "get", "configmap", "survivor", "-o", "jsonpath={.data.k}"); got != "v2" {
		t.Errorf("configmap after a write: %q, want v2", got)
	}
	for name, pid := range map[string]int{"etcd": etcd, "kube-controller-manager": kcm} {
		if got := pidOf(t, c, name); got != pid {
			t.Errorf("%s pid %d, was %d", name, got, pid)
		}
	}
	// The controller-manager reconnected: a new namespace gets its
	// "default" ServiceAccount.
	c.Kubectl(t, "create", "namespace", "after-restart")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := c.TryKubectl("-n", "after-restart", "get", "serviceaccount", "default"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no default ServiceAccount 30s after the restart: kube-controller-manager did not reconnect")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Stop while the API server is starting again: nothing survives.
	if err := c.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan error, 1)
	go func() { restarted <- c.StartAPIServer() }()
	var api3 int
	for i := 0; i < 100 && api3 == 0; i++ { // 10 s at most
		if b, err := os.ReadFile(filepath.Join(c.Dir, "kube-apiserver.pid")); err == nil {
			api3, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if api3 == 0 {
		t.Fatal("no kube-apiserver.pid 10s into StartAPIServer")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-restarted:
		if err == nil {
			t.Error("StartAPIServer succeeded although Stop ran during it")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("StartAPIServer still waiting 15s after Stop")
	}
	if err := c.StartAPIServer(); err == nil {
		t.Error("StartAPIServer after Stop: no error")
	}
	for _, pid := range []int{etcd, kcm, api1, api2, api3} {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("pid %d still exists after Stop (kill 0: %v)", pid, err)
		}
	}
	if strays := processesNaming(t, c.Dir); len(strays) > 0 {
		t.Errorf("processes still naming %s after Stop: %v", c.Dir, strays)
	}
}

func pidOf(t *testing.T, c *Cluster, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, name+".pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("%s pid %d not running: %v", name, pid, err)
	}
	return pid
}

// processesNaming lists the live (not zombie) processes whose command line
// contains s: every daemon's flags name a file in Dir.
func processesNaming(t *testing.T, s string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(s)) {
			continue
		}
		found = append(found, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	}
	return found
}
