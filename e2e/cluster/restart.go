package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// APIServerStopGrace is how long StopAPIServer lets kube-apiserver shut
// down gracefully after SIGTERM. It stops listening within milliseconds, but
// then waits up to its request timeout (60 s) for open watches to end, which
// they never do while their clients live; like a kubelet at the end of a
// pod's grace period, StopAPIServer does not wait that long.
var APIServerStopGrace = 3 * time.Second

// StopAPIServer really stops kube-apiserver, for fault tests: SIGTERM (it
// stops accepting connections and drains requests), and if it is still
// running after APIServerStopGrace, SIGTERM again, on which it exits at once
// (SIGKILL if it has not 10 s later). It returns once the process has exited
// and been reaped, every one of its connections closed, and removes
// Dir/kube-apiserver.pid. etcd and the other daemons keep running.
// StartAPIServer brings it back.
func (c *Cluster) StopAPIServer() error {
	c.mu.Lock()
	p, stopped := c.apiserver, c.stopped
	c.mu.Unlock()
	switch {
	case stopped:
		return fmt.Errorf("stop kube-apiserver: %w", errStopped)
	case p == nil:
		return errors.New("stop kube-apiserver: it was never started")
	case p.exited() != nil:
		return fmt.Errorf("stop kube-apiserver: not running (%v)", p.exited())
	}
	err := p.terminate(APIServerStopGrace, 10*time.Second)
	if rmErr := os.Remove(filepath.Join(c.Dir, "kube-apiserver.pid")); rmErr != nil && !os.IsNotExist(rmErr) {
		err = errors.Join(err, rmErr)
	}
	return err
}

// StartAPIServer starts kube-apiserver again after StopAPIServer, with the
// same flags: the same port (Server and Kubeconfig stay valid), certificates,
// service-account keys and etcd, so every object is still there. It appends
// to Dir/kube-apiserver.log, writes the new PID to Dir/kube-apiserver.pid and
// returns once /readyz answers 200 (bounded by Options.ReadyTimeout), or
// with an error if another daemon died while the API server was away. A
// start that loses its port to a race is retried.
func (c *Cluster) StartAPIServer() error {
	c.mu.Lock()
	old, stopped := c.apiserver, c.stopped
	c.mu.Unlock()
	switch {
	case stopped:
		return fmt.Errorf("start kube-apiserver: %w", errStopped)
	case old == nil:
		return errors.New("start kube-apiserver: it was never started")
	case old.exited() == nil:
		return errors.New("start kube-apiserver: still running; StopAPIServer first")
	}
	admin, err := c.adminClient()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(c.opts.ReadyTimeout)
	const attempts = 3
	for i := 1; ; i++ {
		if f, err := os.OpenFile(filepath.Join(c.Dir, "kube-apiserver.log"), os.O_WRONLY|os.O_APPEND, 0); err == nil {
			fmt.Fprintf(f, "=== cluster: kube-apiserver started again at %s ===\n", time.Now().Format(time.RFC3339Nano))
			f.Close()
		}
		p, err := c.startProcess("kube-apiserver", c.apiserverArgs...)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.apiserver = p
		for j, q := range c.procs { // the old one is reaped: forget it
			if q == old {
				c.procs = append(c.procs[:j], c.procs[j+1:]...)
				break
			}
		}
		c.mu.Unlock()
		err = waitFor(p, deadline, func() bool {
			_, code := get(admin, c.Server+"/readyz")
			return code == http.StatusOK
		})
		if err == nil {
			return c.othersAlive(p)
		}
		if i == attempts || !errors.Is(err, errPortTaken) {
			return fmt.Errorf("start kube-apiserver again: %w", err)
		}
		old = p
		time.Sleep(500 * time.Millisecond)
	}
}

// othersAlive fails if a daemon other than except has exited.
func (c *Cluster) othersAlive(except *process) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, p := range c.procs {
		if p == except {
			continue
		}
		if err := p.exited(); err != nil {
			errs = append(errs, fmt.Errorf("%w; last lines of its log:\n%s", err, p.logTail(20)))
		}
	}
	return errors.Join(errs...)
}

// CompactEtcd compacts etcd's whole keyspace up to its current revision
// (physically: the old revisions are gone when it returns) and returns that
// revision. A watch from an older resourceVersion that reaches etcd then
// ends in 410 Gone, as on a cluster whose API server compacted while a
// client was away. It uses etcd's JSON gateway (/v3/...), so the package
// needs no etcd client.
func (c *Cluster) CompactEtcd() (int64, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path string, req, resp any) error {
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		r, err := client.Post(c.EtcdURL+path, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer r.Body.Close()
		if r.StatusCode != http.StatusOK {
			var msg bytes.Buffer
			_, _ = msg.ReadFrom(r.Body)
			return fmt.Errorf("etcd %s: HTTP %d %s", path, r.StatusCode, msg.String())
		}
		return json.NewDecoder(r.Body).Decode(resp)
	}
	// Any range answers with the store's current revision in its header;
	// int64 fields travel as JSON strings.
	var rng struct {
		Header struct {
			Revision string `json:"revision"`
		} `json:"header"`
	}
	if err := post("/v3/kv/range", map[string]any{"key": "AA==", "count_only": true}, &rng); err != nil {
		return 0, err
	}
	rev, err := strconv.ParseInt(rng.Header.Revision, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("etcd revision %q: %w", rng.Header.Revision, err)
	}
	var out struct{}
	if err := post("/v3/kv/compaction", map[string]any{"revision": strconv.FormatInt(rev, 10), "physical": true}, &out); err != nil {
		return 0, err
	}
	return rev, nil
}
