package proxye2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Active health checks (docs/resilience.md "Health checks") against real
// test-backend processes: the proxy probes /__backend/healthz of every
// endpoint, which a test turns to 503 while the endpoint still serves
// requests, or kills outright.

const healthPath = "/__backend/healthz"

// checkedCluster: round robin, so that a test sees every usable endpoint
// take requests, with a fast health check (out after 2 failed probes of
// 200 ms, back after 2 passed ones).
func checkedCluster(backends ...*Backend) Cluster {
	c := roundRobin(clusterOf("app", "HTTP", backends...))
	c.HealthCheck = &HealthCheck{Path: healthPath, Interval: "200ms", Timeout: "150ms",
		UnhealthyThreshold: 2, HealthyThreshold: 2}
	return c
}

func healthSnapshot(c Cluster) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "h", Domains: []string{"health.test"},
			Routes: []Route{to("app", Match{Path: prefix("/")}, "app")}}},
		Clusters: []Cluster{c},
	}
}

func setHealth(t *testing.T, b *Backend, status int) {
	t.Helper()
	resp, err := plainClient.Get(fmt.Sprintf("http://%s%s/set?status=%d", b.Addr, healthPath, status))
	if err != nil {
		t.Fatalf("backend %s: %v", b.Name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("backend %s: set health: %s", b.Name, resp.Status)
	}
}

// waitUnhealthy waits until the proxy counts `want` unhealthy endpoints in
// cluster app, and says how long that took.
func waitUnhealthy(t *testing.T, p *Proxy, want float64, within time.Duration) time.Duration {
	t.Helper()
	const series = `archway_health_check_unhealthy_endpoints{cluster="app"}`
	start := time.Now()
	for {
		metrics := scrape(t, p.AdminPort)
		if metricValue(metrics, series) == want {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s did not reach %v within %v:\n%s", series, want, within,
				grepLines(metrics, "health_check"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answers sends n requests and counts the answers by backend name; any
// status but 200 fails the test.
func answers(t *testing.T, p *Proxy, n int) map[string]int {
	t.Helper()
	c := h1Client()
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		resp, body := do(t, c, "GET", p.URL("/"), "health.test", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d: %s", i, resp.StatusCode, trunc(body))
		}
		seen[resp.Header.Get("X-Backend-Name")]++
	}
	return seen
}

// TestHealthCheckTakesAFailingEndpointOutAndBack: "bad" answers its health
// checks with 503 but would still serve; within about interval ×
// unhealthyThreshold it gets no more requests, and once its checks pass
// again it takes its share. The probes carry the proxy's User-Agent and
// the metrics count them.
func TestHealthCheckTakesAFailingEndpointOutAndBack(t *testing.T) {
	good, bad := startBackend(t, "good"), startBackend(t, "bad")
	p := startProxy(t, healthSnapshot(checkedCluster(good, bad)), ProxyOptions{})

	// Endpoints start healthy: traffic flows before any probe answered.
	if seen := answers(t, p, 10); seen["good"] == 0 || seen["bad"] == 0 {
		t.Fatalf("before any failed probe, answers by backend %v, want both", seen)
	}
	setHealth(t, bad, 503)
	// 2 failed probes 200 ms (+10 %) apart, the first up to one interval away.
	if took := waitUnhealthy(t, p, 1, 3*time.Second); took > 1500*time.Millisecond {
		t.Errorf("bad was taken out after %v, want about interval × unhealthyThreshold", took)
	}
	if seen := answers(t, p, 20); seen["bad"] != 0 || seen["good"] != 20 {
		t.Errorf("with bad unhealthy, answers by backend %v, want good only", seen)
	}
	metrics := scrape(t, p.AdminPort)
	if v := metricValue(metrics, `archway_health_checks_total{cluster="app",result="failure"}`); v < 2 {
		t.Errorf("failed probes counted: %v, want ≥ 2\n%s", v, grepLines(metrics, "health_check"))
	}
	if v := metricValue(metrics, `archway_health_checks_total{cluster="app",result="success"}`); v < 1 {
		t.Errorf("passed probes counted: %v, want ≥ 1\n%s", v, grepLines(metrics, "health_check"))
	}
	st := bad.Stats(t)
	if st.HealthChecks < 2 || st.HealthUserAgent != "archway-health-check" {
		t.Errorf("bad saw %d health checks, the last with User-Agent %q; want ≥ 2 with archway-health-check",
			st.HealthChecks, st.HealthUserAgent)
	}

	setHealth(t, bad, 200)
	waitUnhealthy(t, p, 0, 3*time.Second)
	if seen := answers(t, p, 10); seen["good"] == 0 || seen["bad"] == 0 {
		t.Errorf("after bad recovered, answers by backend %v, want both", seen)
	}
}

// TestHealthCheckTakesADeadEndpointOutBeforeAnyRequestFails: a killed
// endpoint refuses the probes' connections and is taken out by them; once
// it is, no client request fails, with no retries configured.
func TestHealthCheckTakesADeadEndpointOutBeforeAnyRequestFails(t *testing.T) {
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	p := startProxy(t, healthSnapshot(checkedCluster(good, dead)), ProxyOptions{})
	dead.Kill()
	waitUnhealthy(t, p, 1, 3*time.Second)
	if seen := answers(t, p, 30); seen["good"] != 30 {
		t.Errorf("answers by backend %v, want all 30 from good", seen)
	}
}

// TestHealthCheckAllUnhealthyPanics: when every endpoint fails its checks,
// fewer than half are usable and the cluster is in panic: every endpoint
// takes traffic rather than none.
func TestHealthCheckAllUnhealthyPanics(t *testing.T) {
	a, b := startBackend(t, "a"), startBackend(t, "b")
	p := startProxy(t, healthSnapshot(checkedCluster(a, b)), ProxyOptions{})
	setHealth(t, a, 503)
	setHealth(t, b, 500)
	waitUnhealthy(t, p, 2, 3*time.Second)
	if seen := answers(t, p, 10); seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("in panic, answers by backend %v, want both", seen)
	}
}

// TestHealthCheckStateSurvivesASwap: a snapshot that changes routes but
// not the cluster keeps the cluster's health state: the unhealthy endpoint
// stays out, with no window where the new table sends it requests.
func TestHealthCheckStateSurvivesASwap(t *testing.T) {
	good, bad := startBackend(t, "good"), startBackend(t, "bad")
	snap := healthSnapshot(checkedCluster(good, bad))
	p := startProxy(t, snap, ProxyOptions{})
	setHealth(t, bad, 503)
	waitUnhealthy(t, p, 1, 3*time.Second)
	snap.VirtualHosts[0].Domains = append(snap.VirtualHosts[0].Domains, "other.test")
	snap.Version = "2"
	p.MustApply(t, snap)
	if seen := answers(t, p, 10); seen["bad"] != 0 {
		t.Errorf("after a swap that kept the cluster, answers by backend %v, want good only", seen)
	}
}
