package controllere2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"archway.dev/e2e/internal/backend"
	"archway.dev/e2e/internal/procs"
)

// Endpoint churn through EndpointSlices under load (issue 17, "What it
// must show"; docs/resilience.md "Endpoints and their conditions").
//
// The test plays the EndpointSlice controller and the kubelet: a Service
// "app" starts with 4 endpoints, each a real test-backend process (it
// counts the requests it gets) with its own EndpointSlice; while GETs flow
// through the proxy, one EndpointSlice write is made every 100 ms: a fresh
// backend is started and its endpoint added ready, the oldest ready one is
// marked `serving: true, terminating: true, ready: false`, and one that has
// been terminating for a second is removed; its process is stopped
// (SIGTERM) 2 s after the removal, a grace period as a kubelet gives. At
// least 4 endpoints are ready at every moment. It runs for
// ARCHWAY_CHURN_SECONDS (default 60, as the issue asks).
//
// It asserts that every request was answered 200 by a backend, that the
// churn happened (writes made, endpoints that went through the whole
// cycle), and that an endpoint got no new request once the proxy had
// applied the table without it: its request count 250 ms after the
// proxy's persisted snapshot (--state-dir, written right after the table
// is posted to the workers) stopped listing it equals its count when its
// process was stopped.

// testBackendBinary builds e2e/cmd/test-backend once per test binary.
func testBackendBinary(t *testing.T) string {
	return procs.GoBinary(t, "archway.dev/e2e/cmd/test-backend")
}

// churnBackend is one test-backend process: one endpoint, one slice.
type churnBackend struct {
	name string
	port int
	cmd  *exec.Cmd
	done chan struct{}

	// Set by the churn goroutine, read after it ends.
	added, marked, removed, stopped time.Time
	applied                         time.Time // the proxy's table no longer lists it
	countAtMark, countApplied       int64     // requests seen at marking, and when applied was seen
	countSettled                    int64     // requests seen settle after applied
	countFinal                      int64     // requests seen just before its process was stopped
}

func (b *churnBackend) slice() string { return "app-" + b.name }

func startChurnBackend(t *testing.T, bin, name string) (*churnBackend, error) {
	cmd := exec.Command(bin, "-name", name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &churnBackend{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(b.done) }()
	t.Cleanup(func() { b.stop(0) })
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		line <- l
		io.Copy(io.Discard, r)
	}()
	select {
	case l := <-line:
		_, p, err := net.SplitHostPort(strings.TrimSpace(strings.TrimPrefix(l, "listening ")))
		if err != nil {
			b.stop(0)
			return nil, fmt.Errorf("backend %s printed %q", name, l)
		}
		b.port, _ = strconv.Atoi(p)
		return b, nil
	case <-time.After(10 * time.Second):
		b.stop(0)
		return nil, fmt.Errorf("backend %s did not print its port within 10s", name)
	}
}

// stop sends SIGTERM (the backend shuts down gracefully), and SIGKILL
// after grace; idempotent.
func (b *churnBackend) stop(grace time.Duration) {
	select {
	case <-b.done:
		return
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(grace):
		b.cmd.Process.Kill()
		<-b.done
	}
}

var churnStatsClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}

// requests is the backend's count of request heads (its /__backend/stats).
func (b *churnBackend) requests() (int64, error) {
	resp, err := churnStatsClient.Get(fmt.Sprintf("http://127.0.0.1:%d/__backend/stats", b.port))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var s struct {
		Requests int64 `json:"requests"`
	}
	err = json.NewDecoder(resp.Body).Decode(&s)
	return s.Requests, err
}

// sliceObject is the EndpointSlice of one backend, as the EndpointSlice
// controller would write it for a pod; conditions as given.
func sliceObject(ns string, b *churnBackend, conditions map[string]bool) map[string]any {
	return map[string]any{
		"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
		"metadata": map[string]any{"name": b.slice(), "namespace": ns,
			"labels": map[string]string{"kubernetes.io/service-name": "app"}},
		"addressType": "IPv4",
		"ports":       []any{map[string]any{"name": "http", "port": b.port, "protocol": "TCP"}},
		"endpoints":   []any{map[string]any{"addresses": []string{backend.RegisteredIP}, "conditions": conditions}},
	}
}

var (
	readyConditions       = map[string]bool{"ready": true, "serving": true, "terminating": false}
	terminatingConditions = map[string]bool{"ready": false, "serving": true, "terminating": true}
)

// proxyPorts reads the proxy's persisted snapshot and returns the ports of
// every endpoint of its clusters (the backends all listen on 127.0.0.1).
func proxyPorts(s *Stack) (map[int]bool, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, "state", "snapshot.json"))
	if err != nil {
		return nil, err
	}
	var snap struct {
		Clusters []struct {
			Endpoints []struct {
				Port int `json:"port"`
			} `json:"endpoints"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	ports := map[int]bool{}
	for _, c := range snap.Clusters {
		for _, e := range c.Endpoints {
			ports[e.Port] = true
		}
	}
	return ports, nil
}

// deleteObject DELETEs one object of the API server.
func deleteObject(client *http.Client, url string) (int, string, error) {
	req, _ := http.NewRequest("DELETE", url, nil)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

type churnResult struct {
	start   time.Time
	status  int
	backend string
	err     error
}

func TestEndpointChurnUnderLoad(t *testing.T) {
	duration := 60 * time.Second
	if v := os.Getenv("ARCHWAY_CHURN_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 {
			t.Fatalf("ARCHWAY_CHURN_SECONDS=%q: want a whole number of seconds, at least 5", v)
		}
		duration = time.Duration(n) * time.Second
	}
	const (
		interval  = 100 * time.Millisecond // 10 changes/s
		readyN    = 4                      // endpoints ready at every moment (5 between an add and a mark)
		terminate = time.Second            // how long an endpoint is terminating before its removal
		grace     = 2 * time.Second        // removal → SIGTERM of its process
		settle    = 250 * time.Millisecond // table applied → count taken (requests already inside the proxy)
	)
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{extraArgs: []string{"--log-level", "info"}})
	bin := testBackendBinary(t)
	api := apiClient(t, c)
	slices := c.Server + "/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices"

	var seq atomic.Int64
	newBackend := func() (*churnBackend, error) {
		return startChurnBackend(t, bin, fmt.Sprintf("b%03d", seq.Add(1)))
	}
	c.Apply(t, ns, `apiVersion: v1
kind: Service
metadata: {name: app}
spec:
  ports: [{name: http, port: 80, targetPort: http}]
`)
	var all []*churnBackend // every backend, in the order started
	var ready []*churnBackend
	for i := 0; i < readyN; i++ {
		b, err := newBackend()
		if err != nil {
			t.Fatal(err)
		}
		if code, body, err := doJSON(api, "POST", slices, "application/json", sliceObject(ns, b, readyConditions)); err != nil || code != 201 {
			t.Fatalf("create slice %s: %d %v %s", b.slice(), code, err, body)
		}
		b.added = time.Now()
		all, ready = append(all, b), append(ready, b)
	}
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: churn}
spec:
  hostnames: [churn.example.com]
  rules:
  - name: r
    backends: [{name: app, port: 80}]
`)
	if err := c.WaitCondition(ns, "apiroute/churn", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the proxy's table lists the 4 endpoints", func() string {
		ports, err := proxyPorts(s)
		if err != nil {
			return err.Error()
		}
		for _, b := range ready {
			if !ports[b.port] {
				return fmt.Sprintf("ports %v, missing %d", ports, b.port)
			}
		}
		return ""
	})

	// A pool of started backends, so that an add is one API write.
	pool := make(chan *churnBackend, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var poolWG sync.WaitGroup
	poolWG.Add(1)
	go func() {
		defer poolWG.Done()
		defer close(pool)
		for ctx.Err() == nil {
			b, err := newBackend()
			if err != nil {
				t.Errorf("starting a backend: %v", err)
				return
			}
			select {
			case pool <- b:
			case <-ctx.Done():
				b.stop(0)
				return
			}
		}
	}()

	// The load: 4 clients (2 HTTP/1.1 keep-alive, 2 h2c), a GET every 5 ms
	// each at most, bounded in count and time.
	loadCtx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	results := make([][]churnResult, 4)
	var loadWG sync.WaitGroup
	for i := range results {
		loadWG.Add(1)
		go func(i int) {
			defer loadWG.Done()
			var client *http.Client
			if i%2 == 0 {
				client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}}
			} else {
				client = &http.Client{Timeout: 10 * time.Second, Transport: &http2.Transport{AllowHTTP: true,
					DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
						var d net.Dialer
						return d.DialContext(ctx, network, addr)
					}}}
			}
			deadline := time.Now().Add(duration + time.Minute)
			for n := 0; n < 100000 && loadCtx.Err() == nil && time.Now().Before(deadline); n++ {
				r := churnResult{start: time.Now()}
				req, _ := http.NewRequest("GET", "http://"+s.HTTPAddr+"/", nil)
				req.Host = "churn.example.com"
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					r.status, r.backend = resp.StatusCode, resp.Header.Get("X-Backend-Name")
				}
				r.err = err
				results[i] = append(results[i], r)
				time.Sleep(5 * time.Millisecond)
			}
		}(i)
	}

	// The applied watcher: polls the proxy's persisted snapshot every 10 ms;
	// when an endpoint marked terminating is no longer in it, notes the
	// time, and takes its count settle later.
	var mu sync.Mutex // guards the churnBackend fields and the lists below
	var marked []*churnBackend
	var watchWG sync.WaitGroup
	watchWG.Add(1)
	go func() {
		defer watchWG.Done()
		for ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
			ports, err := proxyPorts(s)
			if err != nil {
				continue // between the proxy's write and rename: next time
			}
			now := time.Now()
			mu.Lock()
			for _, b := range marked {
				if b.applied.IsZero() && !ports[b.port] {
					b.applied = now
					watchWG.Add(1)
					go func(b *churnBackend) {
						defer watchWG.Done()
						atApplied, err := b.requests()
						if err != nil {
							t.Errorf("backend %s stats: %v", b.name, err)
						}
						time.Sleep(settle)
						n, err := b.requests()
						if err != nil {
							t.Errorf("backend %s stats: %v", b.name, err)
						}
						mu.Lock()
						b.countApplied, b.countSettled = atApplied, n
						mu.Unlock()
					}(b)
				}
			}
			mu.Unlock()
		}
	}()

	// The churn: one EndpointSlice write per tick.
	var changes, adds, marks, removals, apiErrors int
	var stopWG sync.WaitGroup
	var terminating []*churnBackend
	started := time.Now()
	tick := time.NewTicker(interval)
	for time.Since(started) < duration {
		<-tick.C
		var err error
		var code int
		var body string
		switch {
		case len(terminating) > 0 && time.Since(terminating[0].marked) >= terminate:
			b := terminating[0]
			code, body, err = deleteObject(api, slices+"/"+b.slice())
			if err == nil && code == 200 {
				terminating = terminating[1:]
				removals++
				mu.Lock()
				b.removed = time.Now()
				mu.Unlock()
				stopWG.Add(1)
				go func() { // the kubelet: stop the process after its grace period
					defer stopWG.Done()
					time.Sleep(grace)
					n, err := b.requests()
					if err != nil {
						t.Errorf("backend %s stats: %v", b.name, err)
					}
					mu.Lock()
					b.countFinal, b.stopped = n, time.Now()
					mu.Unlock()
					b.stop(5 * time.Second)
				}()
			}
		case len(ready) > readyN:
			b := ready[0]
			n, _ := b.requests()
			code, body, err = doJSON(api, "PATCH", slices+"/"+b.slice(), "application/merge-patch+json",
				map[string]any{"endpoints": []any{map[string]any{"addresses": []string{backend.RegisteredIP},
					"conditions": terminatingConditions}}})
			if err == nil && code == 200 {
				ready = ready[1:]
				terminating = append(terminating, b)
				marks++
				mu.Lock()
				b.marked, b.countAtMark = time.Now(), n
				marked = append(marked, b)
				mu.Unlock()
			}
		default:
			b, ok := <-pool
			if !ok {
				t.Fatal("the backend pool ended")
			}
			code, body, err = doJSON(api, "POST", slices, "application/json", sliceObject(ns, b, readyConditions))
			if err == nil && code == 201 {
				b.added = time.Now()
				all, ready = append(all, b), append(ready, b)
				adds++
			} else {
				b.stop(0)
			}
		}
		if err != nil || code >= 300 {
			apiErrors++
			t.Logf("EndpointSlice write: %d %v %s", code, err, body)
			continue
		}
		changes++
	}
	tick.Stop()
	elapsed := time.Since(started)
	// Let the last changes reach the proxy, then stop the load.
	time.Sleep(time.Second)
	stopLoad()
	loadWG.Wait()
	cancel()
	poolWG.Wait()
	for b := range pool {
		b.stop(0)
	}
	watchWG.Wait()
	stopWG.Wait()

	// Every request answered 200 by a backend.
	var total, failed int
	served := map[string]int{}
	var failures []string
	for _, rs := range results {
		for _, r := range rs {
			total++
			if r.err != nil || r.status != 200 || r.backend == "" {
				failed++
				if len(failures) < 10 {
					failures = append(failures, fmt.Sprintf("%s: status %d from %q: %v",
						r.start.Format("15:04:05.000"), r.status, r.backend, r.err))
				}
				continue
			}
			served[r.backend]++
		}
	}
	// Terminating endpoints: none got a request once the proxy had applied
	// the table without it (after settle), up to the stop of its process.
	// Those marked but not yet removed when the churn ended are counted now.
	mu.Lock()
	defer mu.Unlock()
	var late []string
	var cycled, notApplied, appliedLate int
	// Requests terminating endpoints got between their marking and the
	// moment the proxy was seen to have applied it, and in the settle after.
	var beforeApplied, inSettle int64
	var lag []time.Duration
	for _, b := range marked {
		if b.applied.IsZero() {
			notApplied++
			continue
		}
		lag = append(lag, b.applied.Sub(b.marked))
		if !b.removed.IsZero() && !b.applied.Before(b.removed) {
			appliedLate++ // left the table by its removal, not by its conditions
		}
		beforeApplied += b.countApplied - b.countAtMark
		inSettle += b.countSettled - b.countApplied
		final := b.countFinal
		if b.stopped.IsZero() {
			n, err := b.requests()
			if err != nil {
				t.Errorf("backend %s stats: %v", b.name, err)
			}
			final = n
		} else {
			cycled++
		}
		if final != b.countSettled {
			late = append(late, fmt.Sprintf("%s: %d requests %v after the proxy dropped it, %d at the end",
				b.name, b.countSettled, settle, final))
		}
	}
	sort.Slice(lag, func(i, j int) bool { return lag[i] < lag[j] })
	lagOf := func(q float64) time.Duration {
		if len(lag) == 0 {
			return 0
		}
		return lag[int(q*float64(len(lag)-1))].Round(time.Millisecond)
	}
	t.Logf("%v of churn: %d EndpointSlice writes (%.1f/s: %d adds, %d marked terminating, %d removals; %d refused), "+
		"%d backends started, %d went through the whole cycle; mark → proxy applied p50 %v p99 %v max %v "+
		"(requests that reached terminating endpoints: %d before that, %d in the %v after); "+
		"%d requests, %d failed, answered by %d backends",
		elapsed.Round(time.Millisecond), changes, float64(changes)/elapsed.Seconds(), adds, marks, removals, apiErrors,
		len(all), cycled, lagOf(0.5), lagOf(0.99), lagOf(1), beforeApplied, inSettle, settle, total, failed, len(served))

	if failed > 0 {
		t.Errorf("%d of %d requests failed; the first: \n%s", failed, total, strings.Join(failures, "\n"))
	}
	for _, l := range late {
		t.Errorf("a terminating endpoint got new requests after the proxy applied the change: %s", l)
	}
	if appliedLate > 0 {
		t.Errorf("%d endpoints marked terminating stayed in the proxy's table until their slice was removed (%v later)",
			appliedLate, terminate)
	}
	if notApplied > 0 {
		t.Errorf("%d endpoints marked terminating never left the proxy's table", notApplied)
	}
	// The churn happened: at least half the 10 writes/s asked for (the API
	// server, etcd and the controller share 2 cores with the load), and
	// endpoints went through add → terminating → removed → stopped.
	if min := int(duration / interval / 2); changes < min {
		t.Errorf("%d EndpointSlice writes in %v, want at least %d", changes, elapsed, min)
	}
	if cycled < int(duration/time.Second) {
		t.Errorf("%d endpoints went through the whole cycle, want at least %d", cycled, int(duration/time.Second))
	}
	if total < int(duration/time.Second)*50 {
		t.Errorf("only %d requests in %v: not a load", total, elapsed)
	}
	if len(served) < readyN+cycled/2 {
		t.Errorf("answers came from %d backends, want at least %d: new endpoints did not take traffic", len(served), readyN+cycled/2)
	}
}
