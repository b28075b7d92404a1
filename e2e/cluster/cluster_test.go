package cluster

import (
	"crypto/tls"
	"errors"
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
		pids = append(pids, pid)
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
