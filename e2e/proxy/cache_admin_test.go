package proxye2e

// The cache from the operator's side (docs/cache.md "Purge", "Route
// changes", proxy.md admin API): DELETE /cache on the admin port, a snapshot
// that changes a route drops that route's entries only, and
// --cache-max-bytes 0 turns caching off.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// purge sends DELETE /cache?query to the admin TCP port.
func purge(t *testing.T, p *Proxy, method, query string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d/cache?%s", p.AdminPort, query), nil)
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatalf("%s /cache: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func purged(t *testing.T, p *Proxy, query string) int {
	t.Helper()
	code, body := purge(t, p, "DELETE", query)
	var answer struct {
		Purged *int `json:"purged"`
	}
	if err := json.Unmarshal([]byte(body), &answer); code != 200 || err != nil || answer.Purged == nil {
		t.Fatalf("DELETE /cache?%s: %d %s", query, code, body)
	}
	return *answer.Purged
}

// TestCachePurgeByPathAndPrefix: an exact path drops every query and variant
// of that path only; a prefix drops every path under it; another host keeps
// its entries. Without host: 400; another method: 405.
func TestCachePurgeByPathAndPrefix(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "30s"})), ProxyOptions{})
	c := h1Client()
	paths := []string{"/p/a", "/p/a?x=1", "/p/b", "/q"}
	fill := func(host string) {
		for _, path := range paths {
			resp, _ := do(t, c, "GET", p.URL(path), host, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s%s: %d", host, path, resp.StatusCode)
			}
		}
	}
	fill(cacheHost)
	fill("other.test")
	status := func(host, path string) string {
		resp, _ := do(t, c, "GET", p.URL(path), host, nil, nil)
		return resp.Header.Get("X-Cache")
	}

	if n := purged(t, p, "host="+cacheHost+"&path="+url.QueryEscape("/p/a")); n != 2 {
		t.Errorf("exact /p/a purged %d, want 2 (both queries)", n)
	}
	for path, want := range map[string]string{"/p/a": "MISS", "/p/a?x=1": "MISS", "/p/b": "HIT", "/q": "HIT"} {
		if got := status(cacheHost, path); got != want {
			t.Errorf("after purging /p/a: %s is %s, want %s", path, got, want)
		}
	}
	if n := purged(t, p, "host=CACHE.test:80&prefix=/p/"); n != 3 {
		t.Errorf("prefix /p/ purged %d, want 3 (/p/a twice again and /p/b)", n)
	}
	for path, want := range map[string]string{"/p/b": "MISS", "/q": "HIT"} {
		if got := status(cacheHost, path); got != want {
			t.Errorf("after purging /p/: %s is %s, want %s", path, got, want)
		}
	}
	for _, path := range paths {
		if got := status("other.test", path); got != "HIT" {
			t.Errorf("other.test%s is %s: a purge of another host dropped it", path, got)
		}
	}
	if code, body := purge(t, p, "DELETE", "path=/q"); code != 400 {
		t.Errorf("without host: %d %s, want 400", code, body)
	}
	if code, body := purge(t, p, "GET", "host="+cacheHost+"&path=/q"); code != 405 {
		t.Errorf("GET /cache: %d %s, want 405", code, body)
	}
	if got := status(cacheHost, "/q"); got != "HIT" {
		t.Errorf("refused purges dropped /q (%s)", got)
	}
}

// TestCacheSnapshotChangingARouteDropsItsEntries: a new snapshot that
// changes one rule's cache policy makes that rule miss; an unchanged rule
// keeps its entries across the swap.
func TestCacheSnapshotChangingARouteDropsItsEntries(t *testing.T) {
	be := startBackend(t, "cache")
	snap := func(version, ttl string) Snapshot {
		s := cacheSnapshot(be,
			cachedRule("changed", "/changed", &Cache{TTL: ttl}),
			cachedRule("kept", "/kept", &Cache{TTL: "30s"}))
		s.Version = version
		return s
	}
	p := startProxy(t, snap("1", "30s"), ProxyOptions{})
	c := h2cClient()
	for _, path := range []string{"/changed", "/kept"} {
		resp, _ := get(t, c, p, "GET", path, nil)
		expectMiss(t, resp, "uri-miss", true)
		resp, _ = get(t, c, p, "GET", path, nil)
		expectHit(t, resp)
	}
	p.MustApply(t, snap("2", "20s"))
	resp, _ := get(t, c, p, "GET", "/changed", nil)
	expectMiss(t, resp, "uri-miss", true)
	resp, _ = get(t, c, p, "GET", "/kept", nil)
	expectHit(t, resp)
	if n := backendCount(t, be); n != 3 {
		t.Errorf("the backend saw %d requests, want 3", n)
	}
	// The old /changed entry is dropped, not left to age out: the entries
	// are /changed (new) and /kept.
	eventually(t, 2*time.Second, "archway_cache_entries = 2", func() bool {
		return metricValue(scrape(t, p.AdminPort), "archway_cache_entries") == 2
	})
}

// TestCacheMaxBytesZeroTurnsCachingOff: with --cache-max-bytes 0 every
// request of a cached rule bypasses the cache (Cache-Status fwd=bypass).
func TestCacheMaxBytesZeroTurnsCachingOff(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "30s"})),
		ProxyOptions{Args: []string{"--cache-max-bytes", "0"}})
	c := h1Client()
	for i := 0; i < 2; i++ {
		resp, _ := get(t, c, p, "GET", "/off", nil)
		expectBypass(t, resp)
	}
	if n := backendCount(t, be); n != 2 {
		t.Errorf("the backend saw %d requests, want 2", n)
	}
}
