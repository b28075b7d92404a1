package proxye2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Balancing (docs/resilience.md "Balancing") with real backends: least
// request (the default) sends more to a faster endpoint where round robin
// splits evenly; consistent hashing on a header keeps each key on one
// endpoint and moves only about 1/4 of the keys when one endpoint of 4
// leaves by a snapshot swap; cookie affinity sets a cookie and sticks.

type LoadBalancer struct {
	Policy string  `json:"policy,omitempty"`
	HashOn *HashOn `json:"hashOn,omitempty"`
}

type HashOn struct {
	Header        string      `json:"header,omitempty"`
	Cookie        *HashCookie `json:"cookie,omitempty"`
	ClientAddress bool        `json:"clientAddress,omitempty"`
}

type HashCookie struct {
	Name string `json:"name"`
	TTL  string `json:"ttl,omitempty"`
	Path string `json:"path,omitempty"`
}

func balancedSnapshot(host string, lb *LoadBalancer, backends ...*Backend) Snapshot {
	c := clusterOf("app", "HTTP", backends...)
	c.LoadBalancer = lb
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "b", Domains: []string{host},
			Routes: []Route{to("app", Match{Path: prefix("/")}, "app")}}},
		Clusters: []Cluster{c},
	}
}

// loadByBackend sends `workers` × `each` GETs, `workers` at a time, and
// counts the answers by backend name.
func loadByBackend(t *testing.T, p *Proxy, host string, hdr http.Header, workers, each int) map[string]int {
	t.Helper()
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := h1Client()
			for i := 0; i < each; i++ {
				resp, _ := do(t, c, "GET", p.URL("/"), host, hdr, nil)
				mu.Lock()
				counts[resp.Header.Get("X-Backend-Name")+fmt.Sprintf(":%d", resp.StatusCode)]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return counts
}

func TestBalancingLeastRequestSendsMoreToTheFasterEndpoint(t *testing.T) {
	fast, slow := startBackend(t, "fast"), startBackend(t, "slow")
	hdr := http.Header{"X-Echo-Sleep-For": {"fast=5ms", "slow=100ms"}}
	// 8 at a time, 240 requests: at most 240 × 100 ms / 8 = 3 s.
	const workers, each = 8, 30

	p := startProxy(t, balancedSnapshot("lr.test", nil, fast, slow), ProxyOptions{})
	counts := loadByBackend(t, p, "lr.test", hdr, workers, each)
	if counts["fast:200"]+counts["slow:200"] != workers*each {
		t.Fatalf("answers %v, want %d 200s", counts, workers*each)
	}
	// The slow endpoint holds requests 20× longer, so it nearly always has
	// more in flight: it should get a small share, not half.
	if counts["fast:200"] < 4*counts["slow:200"] {
		t.Errorf("least request: fast %d, slow %d; want fast ≥ 4× slow", counts["fast:200"], counts["slow:200"])
	}
	t.Logf("least request: fast %d, slow %d", counts["fast:200"], counts["slow:200"])

	// The same load under RoundRobin splits evenly: the policy is what
	// made the difference.
	p.MustApply(t, withVersion(balancedSnapshot("lr.test", &LoadBalancer{Policy: "RoundRobin"}, fast, slow), "2"))
	counts = loadByBackend(t, p, "lr.test", hdr, workers, each)
	total := workers * each
	if counts["fast:200"] < total*4/10 || counts["slow:200"] < total*4/10 {
		t.Errorf("round robin: %v, want each endpoint 40–60 %% of %d", counts, total)
	}
	t.Logf("round robin: fast %d, slow %d", counts["fast:200"], counts["slow:200"])
}

func withVersion(s Snapshot, v string) Snapshot {
	s.Version = v
	return s
}

func TestBalancingConsistentHashOnAHeaderKeepsKeysAndMovesAQuarter(t *testing.T) {
	var backends []*Backend
	for i := 0; i < 4; i++ {
		backends = append(backends, startBackend(t, fmt.Sprintf("b%d", i)))
	}
	lb := &LoadBalancer{Policy: "ConsistentHash", HashOn: &HashOn{Header: "X-User"}}
	p := startProxy(t, balancedSnapshot("hash.test", lb, backends...), ProxyOptions{})
	c := h1Client()
	const keys = 400 // enough that one endpoint's share stays near 25 %: ±2 % (1σ)
	owner := func(key string) string {
		return getEcho(t, c, "GET", p.URL("/"), "hash.test", http.Header{"X-User": {key}}, nil).Name
	}

	before := map[string]string{}
	perBackend := map[string]int{}
	for k := 0; k < keys; k++ {
		key := fmt.Sprintf("user-%d", k)
		first := owner(key)
		for again := 0; again < 2; again++ {
			if got := owner(key); got != first {
				t.Fatalf("key %s went to %s, then to %s", key, first, got)
			}
		}
		before[key] = first
		perBackend[first]++
	}
	for _, b := range backends {
		if perBackend[b.Name] < keys/10 {
			t.Errorf("keys by endpoint %v: %s has fewer than 10 %%", perBackend, b.Name)
		}
	}

	// b2 leaves (as a pod would): only its keys, about 1/4, should move.
	p.MustApply(t, withVersion(balancedSnapshot("hash.test", lb, backends[0], backends[1], backends[3]), "2"))
	moved, movedOthers := 0, 0
	for key, was := range before {
		now := owner(key)
		if now == "b2" {
			t.Fatalf("key %s still reaches the removed endpoint", key)
		}
		if now != was {
			moved++
			if was != "b2" {
				movedOthers++
			}
		}
	}
	share := float64(moved) / keys
	t.Logf("removed b2 (held %d keys): %d of %d keys moved (%.0f %%), %d of them from other endpoints",
		perBackend["b2"], moved, keys, 100*share, movedOthers)
	if share > 0.35 {
		t.Errorf("%.0f %% of the keys moved when one endpoint of 4 left, want ≤ 35 %%", 100*share)
	}
	if moved < perBackend["b2"] {
		t.Errorf("%d keys moved, fewer than the %d the removed endpoint held", moved, perBackend["b2"])
	}
}

var affinityCookie = regexp.MustCompile(`^lb=([0-9a-f]{16}); Path=/; Max-Age=3600; HttpOnly$`)

func TestBalancingCookieAffinitySetsTheCookieAndSticks(t *testing.T) {
	a, b, c3 := startBackend(t, "a"), startBackend(t, "b"), startBackend(t, "c")
	lb := &LoadBalancer{Policy: "ConsistentHash", HashOn: &HashOn{Cookie: &HashCookie{Name: "lb", TTL: "1h"}}}
	p := startProxy(t, balancedSnapshot("sticky.test", lb, a, b, c3), ProxyOptions{})
	c := h1Client()
	reached := map[string]bool{}
	for client := 0; client < 20; client++ {
		// A first request without the cookie: the proxy sets one, and the
		// endpoint that answered is the one the cookie hashes to.
		resp, body := do(t, c, "GET", p.URL("/"), "sticky.test", nil, nil)
		first := echoOf(t, resp, body).Name
		set := resp.Header.Values("Set-Cookie")
		if len(set) != 1 || !affinityCookie.MatchString(set[0]) {
			t.Fatalf("Set-Cookie %q, want one lb=<16 hex>; Path=/; Max-Age=3600; HttpOnly", set)
		}
		cookie := strings.SplitN(set[0], ";", 2)[0]
		for i := 0; i < 5; i++ {
			hdr := http.Header{"Cookie": {"other=1; " + cookie}}
			resp, body := do(t, c, "GET", p.URL("/"), "sticky.test", hdr, nil)
			if got := echoOf(t, resp, body).Name; got != first {
				t.Fatalf("client %d with %s: answered by %s, first by %s", client, cookie, got, first)
			}
			if v := resp.Header.Values("Set-Cookie"); len(v) != 0 {
				t.Fatalf("a request with the cookie got Set-Cookie %q", v)
			}
		}
		reached[first] = true
	}
	if len(reached) < 2 {
		t.Errorf("20 clients all stuck to %v: the cookies do not spread", reached)
	}
}
