package proxye2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dunglas/httpsfv"

	"archway.dev/e2e/internal/procs"
)

// rateLimitSnapshot: /limited under rl, /open without a limit, one backend.
func rateLimitSnapshot(be *Backend, rl RateLimit) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "rl", Domains: []string{"*"}, Routes: []Route{
			{Name: "e2e/rl/limited", RouteName: "e2e/rl", RuleName: "limited",
				Matches:  []Match{{Path: prefix("/limited")}},
				Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
				Policies: &Policies{RateLimit: &rl}},
			{Name: "e2e/rl/open", RouteName: "e2e/rl", RuleName: "open",
				Matches:  []Match{{Path: prefix("/open")}},
				Backends: []WeightedBackend{{Cluster: "api", Weight: 1}}},
		}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
}

// fire sends n GETs at once, each on its own connection (so both workers
// take some), and counts the statuses.
func fire(t *testing.T, urls []string, n int, hdr http.Header) map[int]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			req, _ := http.NewRequest("GET", urls[i%len(urls)], nil)
			for k, v := range hdr {
				req.Header[k] = v
			}
			resp, err := c.Do(req)
			status := -1
			if err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			counts[status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return counts
}

// TestRateLimitLocalIsExactAcrossWorkers: two workers, one bucket per
// client: 20 per minute lets exactly 20 of 60 simultaneous requests
// through (no token comes back in the test's few seconds: one per 3 s).
func TestRateLimitLocalIsExactAcrossWorkers(t *testing.T) {
	be := startBackend(t, "rl")
	p := startProxy(t, rateLimitSnapshot(be, RateLimit{Requests: 20, Period: "1m"}),
		ProxyOptions{Workers: 2})
	counts := fire(t, []string{p.URL("/limited")}, 60, nil)
	if counts[200] != 20 || counts[429] != 40 {
		t.Fatalf("statuses %v, want 20×200 and 40×429", counts)
	}
	if got := be.Stats(t).Requests; got != 20 {
		t.Errorf("the backend saw %d requests, want 20", got)
	}
	// Another route of the same proxy is not limited.
	if counts := fire(t, []string{p.URL("/open")}, 10, nil); counts[200] != 10 {
		t.Errorf("the open route: %v", counts)
	}
}

// TestRateLimitAnswersAreStructuredFields: a 429 carries Retry-After,
// RateLimit-Policy and RateLimit, parsed as RFC 8941 structured fields;
// an allowed response carries the two fields, or not with WhenLimited.
func TestRateLimitAnswersAreStructuredFields(t *testing.T) {
	be := startBackend(t, "rl")
	p := startProxy(t, rateLimitSnapshot(be, RateLimit{Requests: 2, Period: "10s", Key: "Header", Header: "X-Tenant"}),
		ProxyOptions{Workers: 1})
	hdr := http.Header{"X-Tenant": {"acme"}}
	c := h1Client()
	var last *http.Response
	for i := 0; i < 3; i++ {
		resp, body := do(t, c, "GET", p.URL("/limited"), "", hdr, nil)
		last = resp
		if i < 2 {
			if resp.StatusCode != 200 {
				t.Fatalf("request %d: %d %s", i, resp.StatusCode, body)
			}
			checkFields(t, resp, 2, 10, int64(1-i))
			continue
		}
		errorBody(t, resp, body, 429)
	}
	retry, err := strconv.Atoi(last.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 5 {
		t.Errorf("Retry-After %q, want 1..5 (a token every 5 s)", last.Header.Get("Retry-After"))
	}
	checkFields(t, last, 2, 10, 0)
	// Another tenant has its own bucket; requests without the header share one.
	if resp, _ := do(t, c, "GET", p.URL("/limited"), "", http.Header{"X-Tenant": {"globex"}}, nil); resp.StatusCode != 200 {
		t.Errorf("another tenant: %d", resp.StatusCode)
	}
	for i, want := range []int{200, 200, 429} {
		if resp, _ := do(t, c, "GET", p.URL("/limited"), "", nil, nil); resp.StatusCode != want {
			t.Errorf("keyless request %d: %d, want %d", i, resp.StatusCode, want)
		}
	}

	p.MustApply(t, p.withListeners(rateLimitSnapshot(be, RateLimit{Requests: 5, Period: "10s", Headers: "WhenLimited"})))
	resp, _ := do(t, c, "GET", p.URL("/limited"), "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit") != "" || resp.Header.Get("RateLimit-Policy") != "" {
		t.Errorf("WhenLimited: %d with RateLimit %q, RateLimit-Policy %q", resp.StatusCode,
			resp.Header.Get("RateLimit"), resp.Header.Get("RateLimit-Policy"))
	}
}

// checkFields parses RateLimit-Policy and RateLimit as structured-field
// lists with one item "default" and checks q, w and r.
func checkFields(t *testing.T, resp *http.Response, q, w, r int64) {
	t.Helper()
	policy, err := httpsfv.UnmarshalList(resp.Header.Values("RateLimit-Policy"))
	if err != nil || len(policy) != 1 {
		t.Fatalf("RateLimit-Policy %q: %v", resp.Header.Values("RateLimit-Policy"), err)
	}
	item := policy[0].(httpsfv.Item)
	if item.Value != "default" {
		t.Errorf("policy name %v", item.Value)
	}
	if v, _ := item.Params.Get("q"); v != q {
		t.Errorf("q=%v, want %d", v, q)
	}
	if v, _ := item.Params.Get("w"); v != w {
		t.Errorf("w=%v, want %d", v, w)
	}
	limit, err := httpsfv.UnmarshalList(resp.Header.Values("RateLimit"))
	if err != nil || len(limit) != 1 {
		t.Fatalf("RateLimit %q: %v", resp.Header.Values("RateLimit"), err)
	}
	li := limit[0].(httpsfv.Item)
	if v, _ := li.Params.Get("r"); v != r {
		t.Errorf("r=%v, want %d", v, r)
	}
	if v, ok := li.Params.Get("t"); !ok || v.(int64) < 0 {
		t.Errorf("t=%v", v)
	}
}

// redisServer runs a real redis-server on loopback until the test ends;
// stop and start it again on the same port.
type redisServer struct {
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("ARCHWAY_SKIP_REDIS") == "1" {
			t.Skip("redis-server not installed")
		}
		t.Fatal("redis-server not installed (scripts/install-deps.sh installs it)")
	}
	r := &redisServer{port: procs.FreeLoopbackPort(t)}
	r.start(t)
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", r.port))
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatal("redis-server did not start")
	}
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRateLimitGlobalAcrossThreeProxies: three proxies on one snapshot
// and one real Redis, load skewed 80/10/10: together they let through the
// bucket (100) within 2 %, and almost every decision is local. Redis
// killed: the Local fallback keeps limiting per proxy and the Deny
// fallback answers 503; Redis back: shared limits resume.
func TestRateLimitGlobalAcrossThreeProxies(t *testing.T) {
	redis := startRedis(t)
	be := startBackend(t, "rl")
	snap := rateLimitSnapshot(be, RateLimit{Requests: 100, Period: "1h", Scope: "Global"})
	args := []string{"--redis-address", fmt.Sprintf("127.0.0.1:%d", redis.port)}
	var proxies []*Proxy
	for i := 0; i < 3; i++ {
		proxies = append(proxies, startProxy(t, snap, ProxyOptions{Workers: 2, Args: args}))
	}
	var allowed, sent int64
	send := func(n int) {
		var wg sync.WaitGroup
		for w := 0; w < 10; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				c := h1Client()
				for i := w; i < n; i += 10 {
					p := proxies[0]
					switch i % 10 {
					case 8:
						p = proxies[1]
					case 9:
						p = proxies[2]
					}
					resp, _ := do(t, c, "GET", p.URL("/limited"), "", nil, nil)
					atomic.AddInt64(&sent, 1)
					if resp.StatusCode == 200 {
						atomic.AddInt64(&allowed, 1)
					}
				}
			}(w)
		}
		wg.Wait()
	}
	send(300)
	// Slices the quiet proxies leased and did not spend go back when
	// their leases end (1 s); then the busy one gets them.
	time.Sleep(2 * time.Second)
	send(100)
	if allowed < 98 || allowed > 100 {
		t.Errorf("%d of %d allowed across three proxies, want 100 ± 2 %%", allowed, sent)
	}
	local, redisCalls := 0.0, 0.0
	for _, p := range proxies {
		local += metricValue(scrape(t, p.AdminPort), `archway_ratelimit_decisions_total{where="local"}`)
		redisCalls += metricValue(scrape(t, p.AdminPort), `archway_ratelimit_decisions_total{where="redis"}`)
	}
	t.Logf("%d of %d allowed; decisions: %v local, %v through Redis", allowed, sent, local, redisCalls)
	if redisCalls == 0 || redisCalls > local/2 {
		t.Errorf("decisions: %v local, %v through Redis", local, redisCalls)
	}

	// Redis gone: two rules with the two fallbacks.
	snap.VirtualHosts[0].Routes[0].Policies.RateLimit = &RateLimit{Requests: 5, Period: "1h", Scope: "Global", Fallback: "Local"}
	snap.VirtualHosts[0].Routes[1].Policies = &Policies{RateLimit: &RateLimit{Requests: 1000, Period: "1h", Scope: "Global", Fallback: "Deny"}}
	p := proxies[0]
	p.MustApply(t, p.withListeners(snap))
	redis.stop()
	time.Sleep(1500 * time.Millisecond) // leases end
	counts := map[int]int{}
	c := h1Client()
	for i := 0; i < 8; i++ {
		resp, _ := do(t, c, "GET", p.URL("/limited"), "", nil, nil)
		counts[resp.StatusCode]++
	}
	if counts[200] != 5 || counts[429] != 3 {
		t.Errorf("Redis down, fallback Local (5/h): %v, want 5×200 3×429", counts)
	}
	resp, body := do(t, c, "GET", p.URL("/open"), "", nil, nil)
	errorBody(t, resp, body, 503)
	if metricValue(scrape(t, p.AdminPort), "archway_ratelimit_redis_up") != 0 {
		t.Errorf("archway_ratelimit_redis_up is not 0 with Redis down")
	}

	redis.start(t)
	if !waitFor(func() bool {
		resp, _ := do(t, c, "GET", p.URL("/open"), "", nil, nil)
		return resp.StatusCode == 200
	}) {
		t.Fatalf("shared limits did not resume once Redis was back")
	}
	if metricValue(scrape(t, p.AdminPort), "archway_ratelimit_redis_up") != 1 {
		t.Errorf("archway_ratelimit_redis_up is not 1 with Redis back")
	}
}

// startRedisCluster runs three redis-server primaries with cluster support
// and joins them with `redis-cli --cluster create`; it returns their
// addresses once every node says the cluster is up.
func startRedisCluster(t *testing.T) []string {
	t.Helper()
	startRedis(t) // the skip-or-fail check for redis-server; the node itself is not used
	dir := t.TempDir()
	var addrs []string
	for i := 0; i < 3; i++ {
		// A node also listens on its port + 10000 (the cluster bus).
		var port int
		for {
			port = procs.FreeLoopbackPort(t)
			if port+10000 > 65535 {
				continue
			}
			if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+10000)); err == nil {
				l.Close()
				break
			}
		}
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--save", "", "--appendonly", "no", "--cluster-enabled", "yes",
			"--cluster-config-file", fmt.Sprintf("%s/nodes-%d.conf", dir, i), "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if !waitFor(func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err == nil
		}) {
			t.Fatalf("redis-server %s did not start", addr)
		}
		addrs = append(addrs, addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	if out, err := exec.Command("redis-cli", append(args, "--cluster-yes")...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range addrs {
		_, port, _ := net.SplitHostPort(addr)
		deadline := time.Now().Add(10 * time.Second)
		for {
			out, _ := exec.Command("redis-cli", "-p", port, "cluster", "info").Output()
			if strings.Contains(string(out), "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cluster node %s is not up: %s", addr, out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addrs
}

// TestRateLimitGlobalOnARedisCluster: the same three proxies, skewed load
// and bucket, against a Redis Cluster of three primaries; the proxies know
// one node and learn the rest. Many keys (tenants), so buckets land on
// every primary.
func TestRateLimitGlobalOnARedisCluster(t *testing.T) {
	addrs := startRedisCluster(t)
	be := startBackend(t, "rl")
	snap := rateLimitSnapshot(be, RateLimit{Requests: 10, Period: "1h", Key: "Header", Header: "X-Tenant", Scope: "Global", Fallback: "Deny"})
	args := []string{"--redis-address", addrs[0], "--redis-cluster"}
	var proxies []*Proxy
	for i := 0; i < 3; i++ {
		proxies = append(proxies, startProxy(t, snap, ProxyOptions{Workers: 2, Args: args}))
	}
	const tenants = 12
	allowed := map[string]int{}
	var mu sync.Mutex
	send := func(rounds int) {
		var wg sync.WaitGroup
		for tenant := 0; tenant < tenants; tenant++ {
			wg.Add(1)
			go func(tenant int) {
				defer wg.Done()
				c := h1Client()
				name := fmt.Sprintf("tenant-%d", tenant)
				for i := 0; i < rounds; i++ {
					p := proxies[0]
					switch i % 10 {
					case 8:
						p = proxies[1]
					case 9:
						p = proxies[2]
					}
					resp, _ := do(t, c, "GET", p.URL("/limited"), "", http.Header{"X-Tenant": {name}}, nil)
					if resp.StatusCode == 503 {
						t.Errorf("%s: 503: the cluster was not reachable", name)
						return
					}
					if resp.StatusCode == 200 {
						mu.Lock()
						allowed[name]++
						mu.Unlock()
					}
				}
			}(tenant)
		}
		wg.Wait()
	}
	send(30)
	time.Sleep(2 * time.Second) // unspent leases go back
	send(10)
	for tenant := 0; tenant < tenants; tenant++ {
		name := fmt.Sprintf("tenant-%d", tenant)
		if allowed[name] != 10 {
			t.Errorf("%s: %d allowed across three proxies, want the bucket's 10", name, allowed[name])
		}
	}
	// The buckets are spread over the primaries.
	used := 0
	for _, addr := range addrs {
		_, port, _ := net.SplitHostPort(addr)
		out, _ := exec.Command("redis-cli", "-p", port, "dbsize").Output()
		if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n > 0 {
			used++
		}
	}
	if used < 2 {
		t.Errorf("buckets on %d of 3 primaries, want them spread", used)
	}
}

// TestRateLimitLocalQuotaSurvivesARestart: a Local quota's debts are saved
// in the state dir when the proxy stops (SIGTERM) and are owed again by the
// next process on the same state dir.
func TestRateLimitLocalQuotaSurvivesARestart(t *testing.T) {
	be := startBackend(t, "rl")
	dir := t.TempDir()
	port := procs.FreeLoopbackPort(t)
	snap := rateLimitSnapshot(be, RateLimit{Requests: 3, Period: "24h"})
	snap.Listeners = []Listener{{Name: "http", Address: "127.0.0.1", Port: port}}
	snap.Version = "1"
	body, _ := json.Marshal(snap)
	cfg := filepath.Join(dir, "snapshot.json")
	if err := os.WriteFile(cfg, body, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() (stopIt func()) {
		cmd := exec.Command(proxyBinary(t), "--config", cfg, "--state-dir", dir, "--workers", "2",
			"--admin-port", "0", "--access-log", "off", "--drain-timeout", "1s")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := spawn(cmd); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		if !waitFor(func() bool {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.Close()
			}
			return err == nil
		}) {
			t.Fatal("archway-proxy did not listen")
		}
		return func() { stop(cmd, done, 5*time.Second) }
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/limited", port)
	status := func() int {
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	stopIt := run()
	for i, want := range []int{200, 200, 200, 429} {
		if got := status(); got != want {
			t.Fatalf("first run, request %d: %d, want %d", i, got, want)
		}
	}
	stopIt()
	if _, err := os.Stat(filepath.Join(dir, "ratelimit-debts.json")); err != nil {
		t.Fatalf("no debts saved in the state dir: %v", err)
	}
	stopIt = run()
	defer func() { stopIt() }()
	if got := status(); got != 429 {
		t.Fatalf("after the restart: %d, want 429 (the quota is spent for a day)", got)
	}
}
