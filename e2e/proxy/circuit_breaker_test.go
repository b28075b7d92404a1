package proxye2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// CircuitBreaker is the snapshot's circuitBreaker policy (docs/resilience.md).
type CircuitBreaker struct {
	MaxConnections     *int   `json:"maxConnections,omitempty"`
	MaxPendingRequests *int   `json:"maxPendingRequests,omitempty"`
	MaxRequests        *int   `json:"maxRequests,omitempty"`
	Consecutive5xx     *int   `json:"consecutive5xx,omitempty"`
	BaseEjectionTime   string `json:"baseEjectionTime,omitempty"`
	MaxEjectionPercent *int   `json:"maxEjectionPercent,omitempty"`
}

func intp(n int) *int { return &n }

// concurrentGets sends n GETs at once, each on its own connection, and
// returns their statuses, bodies and X-Archway-Overflow headers.
func concurrentGets(t *testing.T, p *Proxy, path, host string, hdr http.Header, n int) (codes []int, bodies [][]byte, overflow []string) {
	t.Helper()
	codes, bodies, overflow = make([]int, n), make([][]byte, n), make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, body := do(t, h1Client(), "GET", p.URL(path), host, hdr, nil)
			codes[i], bodies[i], overflow[i] = resp.StatusCode, body, resp.Header.Get("X-Archway-Overflow")
		}(i)
	}
	wg.Wait()
	return codes, bodies, overflow
}

// TestCircuitBreakerMaxRequestsOpensAndCloses: with maxRequests 2 and a
// slow backend, 5 concurrent requests give 2 answers and 3 overflows (503,
// the JSON error naming the limit, X-Archway-Overflow), counted in
// archway_circuit_breaker_overflows_total; once the 2 are done, requests
// pass again: every way an exchange ends gives its unit back.
func TestCircuitBreakerMaxRequestsOpensAndCloses(t *testing.T) {
	b := startBackend(t, "slow")
	r := to("limited", Match{Path: prefix("/")}, "slow")
	r.Policies = &Policies{CircuitBreaker: &CircuitBreaker{MaxRequests: intp(2)}}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "cb", Domains: []string{"cb.test"}, Routes: []Route{r}}},
		Clusters:     []Cluster{clusterOf("slow", "HTTP", b)},
	}
	p := startProxy(t, snap, ProxyOptions{})
	slow := http.Header{"X-Echo-Sleep": {"1s"}}

	codes, bodies, overflow := concurrentGets(t, p, "/", "cb.test", slow, 5)
	ok, open := 0, 0
	for i, code := range codes {
		switch code {
		case 200:
			ok++
		case 503:
			open++
			if !strings.Contains(string(bodies[i]), `"circuit breaker open: maxRequests"`) {
				t.Errorf("503 body %q does not name the limit", bodies[i])
			}
			if overflow[i] != "maxRequests" {
				t.Errorf("503 X-Archway-Overflow %q, want maxRequests", overflow[i])
			}
		default:
			t.Errorf("status %d: %q", code, bodies[i])
		}
	}
	if ok != 2 || open != 3 {
		t.Fatalf("%d answered and %d overflowed, want 2 and 3 (statuses %v)", ok, open, codes)
	}
	// Closed again: a client that went away and a backend reset give their
	// units back too, so the next two still pass.
	abort := http.Header{"X-Echo-Abort": {"1"}}
	resp, body := do(t, h1Client(), "GET", p.URL("/"), "cb.test", abort, nil)
	errorBody(t, resp, body, 502)
	codes, bodies, _ = concurrentGets(t, p, "/", "cb.test", http.Header{"X-Echo-Sleep": {"200ms"}}, 2)
	for i, code := range codes {
		if code != 200 {
			t.Errorf("after the breaker closed: status %d: %q", code, bodies[i])
		}
	}
	metrics := scrape(t, p.AdminPort)
	series := `archway_circuit_breaker_overflows_total{cluster="slow",limit="maxRequests"}`
	if v := metricValue(metrics, series); v != 3 {
		t.Errorf("%s = %v, want 3\n%s", series, v, grepLines(metrics, "circuit_breaker"))
	}
}

// TestCircuitBreakerMaxConnectionsCountsOpenConnections: maxConnections 1
// lets one backend connection open; a second concurrent request that would
// need another gets 503 (maxConnections), and once the first is done its
// kept-alive connection serves the next request.
func TestCircuitBreakerMaxConnectionsCountsOpenConnections(t *testing.T) {
	b := startBackend(t, "slow")
	r := to("limited", Match{Path: prefix("/")}, "slow")
	r.Policies = &Policies{CircuitBreaker: &CircuitBreaker{MaxConnections: intp(1)}}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "cb", Domains: []string{"cb.test"}, Routes: []Route{r}}},
		Clusters:     []Cluster{clusterOf("slow", "HTTP", b)},
	}
	// One worker: the idle connection is in that worker's pool.
	p := startProxy(t, snap, ProxyOptions{Workers: 1})
	codes, bodies, overflow := concurrentGets(t, p, "/", "cb.test", http.Header{"X-Echo-Sleep": {"700ms"}}, 2)
	got := fmt.Sprint(codes)
	if got != "[200 503]" && got != "[503 200]" {
		t.Fatalf("statuses %v, want one 200 and one 503", codes)
	}
	for i := range codes {
		if codes[i] == 503 && overflow[i] != "maxConnections" {
			t.Errorf("503 X-Archway-Overflow %q, want maxConnections; body %q", overflow[i], bodies[i])
		}
	}
	for i := 0; i < 3; i++ {
		getEcho(t, h1Client(), "GET", p.URL("/"), "cb.test", nil, nil)
	}
}
