package proxye2e

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Retries and the two timeouts (docs/resilience.md "Retries",
// "Timeouts"), against real test-backend processes.

type RetryBackoff struct {
	Base string `json:"base,omitempty"`
	Max  string `json:"max,omitempty"`
}

type Retries struct {
	Attempts      int           `json:"attempts"`
	RetryOn       []string      `json:"retryOn,omitempty"`
	Backoff       *RetryBackoff `json:"backoff,omitempty"`
	BudgetPercent *int          `json:"budgetPercent,omitempty"`
}

func retryRoute(name, cluster string, retries *Retries, timeouts *Timeouts) Route {
	r := to(name, Match{Path: prefix("/" + name)}, cluster)
	r.Policies = &Policies{Retries: retries}
	r.Timeouts = timeouts
	return r
}

func retrySnapshot(routes []Route, clusters ...Cluster) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "r", Domains: []string{"retry.test"}, Routes: routes}},
		Clusters:     clusters,
	}
}

// TestRetryConnectFailureLandsOnTheOtherEndpoint (a): of two endpoints one
// refuses connections; every request (GET, and a POST with a small body:
// nothing reached a backend) succeeds on the other, which sees each one
// exactly once, and the retries are counted by reason.
func TestRetryConnectFailureLandsOnTheOtherEndpoint(t *testing.T) {
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	retries := &Retries{Attempts: 2, RetryOn: []string{"connect-failure"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "10ms"}}
	p := startProxy(t, retrySnapshot([]Route{retryRoute("app", "app", retries, nil)},
		clusterOf("app", "HTTP", dead, good)), ProxyOptions{})
	dead.Kill()

	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			before := backendCount(t, good)
			for i := 0; i < 10; i++ {
				e := getEcho(t, cl.c, "GET", p.URL("/app"), "retry.test", nil, nil)
				if e.Name != "good" {
					t.Fatalf("request %d answered by %q, want good", i, e.Name)
				}
				body := strings.Repeat("p", 1000)
				e = getEcho(t, cl.c, "POST", p.URL("/app"), "retry.test", nil, strings.NewReader(body))
				if e.Name != "good" || e.BodyBytes != int64(len(body)) {
					t.Fatalf("POST %d: answered by %q with %d body bytes, want good with %d",
						i, e.Name, e.BodyBytes, len(body))
				}
			}
			if n := backendCount(t, good) - before; n != 20 {
				t.Errorf("good saw %d requests, want 20 (each once)", n)
			}
		})
	}
	metrics := scrape(t, p.AdminPort)
	series := `archway_upstream_retries_total{cluster="app",reason="connect-failure"}`
	if v := metricValue(metrics, series); v < 1 || v > 40 {
		t.Errorf("%s = %v, want between 1 and 40\n%s", series, v, grepLines(metrics, "retr"))
	}
}

// TestRetryBudgetBoundsAmplification (b): every endpoint answers 503 under
// a bounded concurrent load; with attempts: 2 an unbudgeted proxy would
// send up to 3× the requests, the budget (20 % of requests in flight)
// keeps what the backends saw within 1.2× what the clients sent.
func TestRetryBudgetBoundsAmplification(t *testing.T) {
	a, b, c := startBackend(t, "a"), startBackend(t, "b"), startBackend(t, "c")
	retries := &Retries{Attempts: 2, RetryOn: []string{"gateway-error"},
		Backoff: &RetryBackoff{Base: "50ms", Max: "200ms"}, BudgetPercent: intp(20)}
	p := startProxy(t, retrySnapshot([]Route{retryRoute("down", "down", retries, nil)},
		clusterOf("down", "HTTP", a, b, c)), ProxyOptions{})
	failing := http.Header{"X-Echo-Status": {"503"}}

	const clientsN, perClient = 40, 150
	deadline := time.Now().Add(3 * time.Second)
	var sent, not503 atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < clientsN; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := h1Client()
			for j := 0; j < perClient && time.Now().Before(deadline); j++ {
				resp, _ := do(t, cl, "GET", p.URL("/down"), "retry.test", failing, nil)
				sent.Add(1)
				if resp.StatusCode != 503 {
					not503.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	seen := backendCount(t, a) + backendCount(t, b) + backendCount(t, c)
	ratio := float64(seen) / float64(sent.Load())
	t.Logf("sent %d, backends saw %d: %.3f×", sent.Load(), seen, ratio)
	if not503.Load() != 0 {
		t.Errorf("%d answers were not the backends' 503", not503.Load())
	}
	if ratio > 1.2 {
		t.Errorf("backends saw %.3f× the requests sent, want ≤ 1.2 (the retry budget)", ratio)
	}
	if ratio <= 1.0 {
		t.Errorf("backends saw %.3f× the requests sent: no retry was made at all", ratio)
	}
	metrics := scrape(t, p.AdminPort)
	if v := metricValue(metrics, `archway_upstream_retry_budget_exhausted_total{cluster="down"}`); v < 1 {
		t.Errorf("archway_upstream_retry_budget_exhausted_total = %v, want > 0\n%s", v, grepLines(metrics, "retr"))
	}
	if v := metricValue(metrics, `archway_upstream_retries_total{cluster="down",reason="gateway-error"}`); v < 1 {
		t.Errorf("gateway-error retries = %v, want > 0", v)
	}
}

// TestRetryBackendRequestTimeout (c): backendRequest bounds each attempt
// and a timed-out attempt is retried on the fast endpoint; with a single
// slow endpoint the client gets 504 at about backendRequest, and
// `request` bounds the whole exchange, retries included.
func TestRetryBackendRequestTimeout(t *testing.T) {
	fast, slow, lone := startBackend(t, "fast"), startBackend(t, "slow"), startBackend(t, "lone")
	once := &Retries{Attempts: 1, RetryOn: []string{"gateway-error"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "10ms"}}
	many := &Retries{Attempts: 5, RetryOn: []string{"gateway-error"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "10ms"}}
	// RoundRobin: the slow endpoint gets every other first attempt. Under
	// the default (least request, a random pick among idle endpoints) six
	// sequential requests all went to the fast one about once in 64 runs,
	// and no timeout was retried at all.
	pair := clusterOf("pair", "HTTP", slow, fast)
	pair.LoadBalancer = &LoadBalancer{Policy: "RoundRobin"}
	p := startProxy(t, retrySnapshot([]Route{
		retryRoute("pair", "pair", once, &Timeouts{Request: "5s", BackendRequest: "300ms"}),
		retryRoute("single", "single", nil, &Timeouts{Request: "5s", BackendRequest: "300ms"}),
		retryRoute("bounded", "single", many, &Timeouts{Request: "1s", BackendRequest: "400ms"}),
	}, pair, clusterOf("single", "HTTP", lone)), ProxyOptions{})
	sleepy := http.Header{"X-Echo-Sleep-For": {"slow=3s", "lone=3s"}}
	c := h1Client()

	for i := 0; i < 6; i++ {
		start := time.Now()
		e := getEcho(t, c, "GET", p.URL("/pair"), "retry.test", sleepy, nil)
		if took := time.Since(start); e.Name != "fast" || took > 1500*time.Millisecond {
			t.Fatalf("request %d: answered by %q in %v, want fast within 1.5s", i, e.Name, took)
		}
	}
	metrics := scrape(t, p.AdminPort)
	if v := metricValue(metrics, `archway_upstream_retries_total{cluster="pair",reason="timeout"}`); v < 1 {
		t.Errorf("timeout retries = %v, want > 0\n%s", v, grepLines(metrics, "retr"))
	}

	start := time.Now()
	resp, body := do(t, c, "GET", p.URL("/single"), "retry.test", sleepy, nil)
	took := time.Since(start)
	errorBody(t, resp, body, 504)
	if took < 250*time.Millisecond || took > 1200*time.Millisecond {
		t.Errorf("single slow endpoint: 504 after %v, want about backendRequest (300ms)", took)
	}

	start = time.Now()
	resp, body = do(t, c, "GET", p.URL("/bounded"), "retry.test", sleepy, nil)
	took = time.Since(start)
	errorBody(t, resp, body, 504)
	if took < 900*time.Millisecond || took > 1800*time.Millisecond {
		t.Errorf("request 1s with 5 attempts of 400ms: 504 after %v, want about 1s", took)
	}
}

// TestRetryOnlyWhatIsSafeToResend (d): a POST with a body that got a 503
// is not sent again (the backend may have acted on it); a PUT with the
// same body is (idempotent, held in the replay buffer); a PUT whose body
// is over the replay buffer's 64 KiB is not.
func TestRetryOnlyWhatIsSafeToResend(t *testing.T) {
	be := startBackend(t, "busy")
	retries := &Retries{Attempts: 2, RetryOn: []string{"connect-failure", "gateway-error"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "10ms"}}
	p := startProxy(t, retrySnapshot([]Route{retryRoute("app", "busy", retries, nil)},
		clusterOf("busy", "HTTP", be)), ProxyOptions{})
	failing := http.Header{"X-Echo-Status": {"503"}}
	c := h1Client()
	cases := []struct {
		method string
		size   int
		want   int64
	}{
		{"POST", 100, 1},
		{"PUT", 100, 3},
		{"GET", 0, 3},
		{"PUT", 100 << 10, 1},
	}
	for _, tc := range cases {
		before := backendCount(t, be)
		resp, body := do(t, c, tc.method, p.URL("/app"), "retry.test", failing,
			bytes.NewReader(bytes.Repeat([]byte("b"), tc.size)))
		if resp.StatusCode != 503 {
			t.Fatalf("%s %d bytes: status %d, want the backend's 503; %q", tc.method, tc.size, resp.StatusCode, trunc(body))
		}
		if n := backendCount(t, be) - before; n != tc.want {
			t.Errorf("%s with %d body bytes: the backend saw it %d times, want %d", tc.method, tc.size, n, tc.want)
		}
	}
}

// TestRetryAfterIsHonouredUpToBackoffMax (e): a 503 with Retry-After: 1
// is retried after about a second (within backoff.max 2s); one with
// Retry-After: 5 is not retried at all.
func TestRetryAfterIsHonouredUpToBackoffMax(t *testing.T) {
	be := startBackend(t, "later")
	retries := &Retries{Attempts: 1, RetryOn: []string{"gateway-error"},
		Backoff: &RetryBackoff{Base: "1ms", Max: "2s"}}
	p := startProxy(t, retrySnapshot([]Route{retryRoute("app", "later", retries, nil)},
		clusterOf("later", "HTTP", be)), ProxyOptions{})
	c := h1Client()
	for _, tc := range []struct {
		after    string
		seen     int64
		min, max time.Duration
	}{
		{"1", 2, 900 * time.Millisecond, 1800 * time.Millisecond},
		{"5", 1, 0, 500 * time.Millisecond},
	} {
		before := backendCount(t, be)
		hdr := http.Header{"X-Echo-Status": {"503"}, "X-Echo-Set-Header": {"Retry-After: " + tc.after}}
		start := time.Now()
		resp, _ := do(t, c, "GET", p.URL("/app"), "retry.test", hdr, nil)
		took := time.Since(start)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != tc.after {
			t.Fatalf("Retry-After %s: status %d, Retry-After %q; want the backend's 503 and its field",
				tc.after, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if n := backendCount(t, be) - before; n != tc.seen {
			t.Errorf("Retry-After %s: the backend saw %d requests, want %d", tc.after, n, tc.seen)
		}
		if took < tc.min || took > tc.max {
			t.Errorf("Retry-After %s: answered after %v, want between %v and %v", tc.after, took, tc.min, tc.max)
		}
	}
}
