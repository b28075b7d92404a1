package proxye2e

// The GET cache end to end (docs/cache.md): real clients (Go HTTP/1.1 and
// h2c, curl) through archway-proxy to a real test-backend process that is
// told, per request, which Cache-Control, ETag, Vary, Set-Cookie, status and
// body to answer with, and counts what reaches it. Staleness, coalescing,
// purge and table swaps are in cache_*_test.go.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCacheMissThenHitWithAgeGrowing: the first GET is forwarded and stored,
// the next ones are answered from the cache with the same body, an Age that
// grows with time and Cache-Status "hit; ttl=<remaining>", under HTTP/1.1 and
// h2c; the hits are counted in /metrics.
func TestCacheMissThenHitWithAgeGrowing(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("ten", "/ten", &Cache{TTL: "10s"})), ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			path := "/ten/" + cl.name
			before := backendCount(t, be)
			first, body := get(t, cl.c, p, "GET", path, nil)
			expectMiss(t, first, "uri-miss", true)
			echoOf(t, first, body)
			second, again := get(t, cl.c, p, "GET", path, nil)
			cs := expectHit(t, second)
			if !bytes.Equal(body, again) {
				t.Fatalf("the hit's body differs from the stored one:\n%s\n%s", trunc(body), trunc(again))
			}
			if *cs.ttl < 8 || *cs.ttl > 10 {
				t.Errorf("Cache-Status ttl=%d, want 8..10 of a 10 s ttl", *cs.ttl)
			}
			if age, err := strconv.Atoi(second.Header.Get("Age")); err != nil || age > 1 {
				t.Errorf("Age %q right after the fill, want 0 or 1", second.Header.Get("Age"))
			}
			time.Sleep(2100 * time.Millisecond)
			third, _ := get(t, cl.c, p, "GET", path, nil)
			expectHit(t, third)
			if age, err := strconv.Atoi(third.Header.Get("Age")); err != nil || age < 2 || age > 4 {
				t.Errorf("Age %q after 2.1 s, want 2..4", third.Header.Get("Age"))
			}
			if n := backendCount(t, be) - before; n != 1 {
				t.Errorf("the backend saw %d requests, want 1", n)
			}
		})
	}
	metrics := scrape(t, p.AdminPort)
	if v := metricValue(metrics, `archway_cache_hits_total{route="e2e/cache",rule="ten"}`); v != 4 {
		t.Errorf("archway_cache_hits_total = %v, want 4", v)
	}
	if v := metricValue(metrics, `archway_cache_misses_total{route="e2e/cache",rule="ten"}`); v != 2 {
		t.Errorf("archway_cache_misses_total = %v, want 2", v)
	}
	if v := metricValue(metrics, "archway_cache_entries"); v != 2 {
		t.Errorf("archway_cache_entries = %v, want 2", v)
	}
}

// TestCacheHitThroughCurl: curl (HTTP/1.1 and h2c prior knowledge) gets a
// MISS and then a HIT with the same body.
func TestCacheHitThroughCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("curl", "/curl", &Cache{TTL: "10s"})), ProxyOptions{})
	curl := func(flag, path string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "curl", "-sS", flag, "-D", "-", "-H", "Host: "+cacheHost, p.URL(path)).Output()
		if err != nil {
			t.Fatalf("curl %s: %v", flag, err)
		}
		head, body, _ := strings.Cut(string(out), "\r\n\r\n")
		return strings.ToLower(head), body
	}
	for _, flag := range []string{"--http1.1", "--http2-prior-knowledge"} {
		path := "/curl/" + strings.TrimLeft(flag, "-")
		head1, body1 := curl(flag, path)
		head2, body2 := curl(flag, path)
		if !strings.Contains(head1, "x-cache: miss") || !strings.Contains(head2, "x-cache: hit") {
			t.Errorf("%s: heads\n%s\n%s\nwant X-Cache MISS then HIT", flag, head1, head2)
		}
		if body1 != body2 || body1 == "" {
			t.Errorf("%s: bodies differ: %q / %q", flag, body1, body2)
		}
	}
	if n := backendCount(t, be); n != 2 {
		t.Errorf("the backend saw %d requests, want 2 (one per protocol)", n)
	}
}

// TestCacheResponseMaxAgeShorterThanTTLWins: max-age=1 under a 10 s rule ttl
// expires after one second; s-maxage wins over max-age.
func TestCacheResponseMaxAgeShorterThanTTLWins(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h1Client()
	for _, tc := range []struct{ path, cc string }{
		{"/max-age", "Cache-Control: max-age=1"},
		{"/s-maxage", "Cache-Control: max-age=60, s-maxage=1"},
	} {
		before := backendCount(t, be)
		resp, _ := get(t, c, p, "GET", tc.path, answer(tc.cc))
		expectMiss(t, resp, "uri-miss", true)
		resp, _ = get(t, c, p, "GET", tc.path, answer(tc.cc))
		if cs := expectHit(t, resp); *cs.ttl > 1 {
			t.Errorf("%s: ttl=%d, want <= 1", tc.path, *cs.ttl)
		}
		time.Sleep(1200 * time.Millisecond)
		resp, _ = get(t, c, p, "GET", tc.path, answer(tc.cc))
		expectMiss(t, resp, "stale", true) // found, but stale: RFC 9211 fwd=stale
		if n := backendCount(t, be) - before; n != 2 {
			t.Errorf("%s: the backend saw %d requests, want 2", tc.path, n)
		}
	}
}

// TestCacheNotStoredResponses: no-store, private, no-cache, Set-Cookie, an
// uncacheable status and Vary: * reach the backend every time; with
// cacheSetCookie: true a Set-Cookie response is stored (and served with it).
func TestCacheNotStoredResponses(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be,
		cachedRule("cookies", "/cookies", &Cache{TTL: "10s", CacheSetCookie: true}),
		cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h2cClient()
	for _, tc := range []struct {
		path string
		h    []string
	}{
		{"/no-store", []string{"Cache-Control: no-store"}},
		{"/private", []string{"Cache-Control: private, max-age=60"}},
		{"/no-cache", []string{"Cache-Control: no-cache"}},
		{"/set-cookie", []string{"Set-Cookie: session=abc"}},
		{"/vary-star", []string{"Vary: *"}},
	} {
		before := backendCount(t, be)
		for i := 0; i < 2; i++ {
			resp, _ := get(t, c, p, "GET", tc.path, answer(tc.h...))
			expectMiss(t, resp, "uri-miss", false)
		}
		if n := backendCount(t, be) - before; n != 2 {
			t.Errorf("%s: the backend saw %d requests, want 2", tc.path, n)
		}
	}
	before := backendCount(t, be)
	for i := 0; i < 2; i++ {
		resp, _ := get(t, c, p, "GET", "/status-500", hdr("X-Echo-Status", "500"))
		if resp.StatusCode != 500 || resp.Header.Get("X-Cache") != "MISS" {
			t.Errorf("a 500: status %d, X-Cache %q", resp.StatusCode, resp.Header.Get("X-Cache"))
		}
	}
	if n := backendCount(t, be) - before; n != 2 {
		t.Errorf("a 500 was stored: the backend saw %d requests, want 2", n)
	}
	resp, _ := get(t, c, p, "GET", "/cookies/x", answer("Set-Cookie: session=abc"))
	expectMiss(t, resp, "uri-miss", true)
	resp, _ = get(t, c, p, "GET", "/cookies/x", answer("Set-Cookie: session=abc"))
	expectHit(t, resp)
	if got := resp.Header.Get("Set-Cookie"); got != "session=abc" {
		t.Errorf("cacheSetCookie: the hit carries Set-Cookie %q", got)
	}
}

// TestCacheAuthorization: a request with Authorization bypasses the cache;
// with cacheAuthorizedRequests each credential gets its own entry.
func TestCacheAuthorization(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be,
		cachedRule("authorized", "/authorized", &Cache{TTL: "10s", CacheAuthorizedRequests: true}),
		cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h1Client()
	alice, bob := hdr("Authorization", "Bearer alice"), hdr("Authorization", "Bearer bob")
	for i := 0; i < 2; i++ {
		resp, _ := get(t, c, p, "GET", "/plain", alice)
		expectBypass(t, resp)
	}
	if n := backendCount(t, be); n != 2 {
		t.Fatalf("Authorization without cacheAuthorizedRequests: the backend saw %d requests, want 2", n)
	}
	resp, aliceBody := get(t, c, p, "GET", "/authorized", alice)
	expectMiss(t, resp, "uri-miss", true)
	resp, bobBody := get(t, c, p, "GET", "/authorized", bob)
	expectMiss(t, resp, "uri-miss", true)
	resp, body := get(t, c, p, "GET", "/authorized", alice)
	expectHit(t, resp)
	if !bytes.Equal(body, aliceBody) || bytes.Equal(body, bobBody) {
		t.Errorf("alice got another credential's response: %s", trunc(body))
	}
	resp, _ = get(t, c, p, "GET", "/authorized", nil)
	expectMiss(t, resp, "uri-miss", true)
	if n := backendCount(t, be); n != 5 {
		t.Errorf("the backend saw %d requests, want 5", n)
	}
}

// TestCacheVariants: a response's Vary: Accept keeps one variant per Accept
// value; a rule's varyHeaders makes the header part of the key.
func TestCacheVariants(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be,
		cachedRule("tenant", "/tenant", &Cache{TTL: "10s", VaryHeaders: []string{"x-tenant"}}),
		cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h2cClient()
	vary := answer("Vary: Accept")
	js, txt := with(vary, hdr("Accept", "application/json")), with(vary, hdr("Accept", "text/plain"))
	resp, jsBody := get(t, c, p, "GET", "/vary", js)
	expectMiss(t, resp, "uri-miss", true)
	resp, txtBody := get(t, c, p, "GET", "/vary", txt)
	// The key is stored but no variant matches: RFC 9211 fwd=vary-miss
	// (checked on its own, so that the variants below are checked too).
	if cs := parseCacheStatus(t, resp); resp.Header.Get("X-Cache") != "MISS" || !cs.stored || cs.fwd != "vary-miss" {
		t.Errorf("another Accept: X-Cache %q, Cache-Status %q: want MISS, fwd=vary-miss, stored",
			resp.Header.Get("X-Cache"), cs.raw)
	}
	for _, tc := range []struct {
		h    map[string][]string
		want []byte
	}{{js, jsBody}, {txt, txtBody}, {js, jsBody}} {
		resp, body := get(t, c, p, "GET", "/vary", tc.h)
		expectHit(t, resp)
		if !bytes.Equal(body, tc.want) {
			t.Errorf("Accept %v got another variant", tc.h["Accept"])
		}
	}
	if n := backendCount(t, be); n != 2 {
		t.Errorf("Vary: the backend saw %d requests, want 2", n)
	}

	acme, globex := hdr("X-Tenant", "acme"), hdr("X-Tenant", "globex")
	for _, h := range []map[string][]string{acme, globex, nil} {
		resp, _ := get(t, c, p, "GET", "/tenant", h)
		expectMiss(t, resp, "uri-miss", true)
	}
	for _, h := range []map[string][]string{acme, globex, nil} {
		resp, body := get(t, c, p, "GET", "/tenant", h)
		expectHit(t, resp)
		if e := echoOf(t, resp, body); fmt.Sprint(e.Header("X-Tenant")) != fmt.Sprint(h["X-Tenant"]) {
			t.Errorf("tenant %v got the response of %v", h["X-Tenant"], e.Header("X-Tenant"))
		}
	}
	if n := backendCount(t, be); n != 5 {
		t.Errorf("varyHeaders: the backend saw %d requests, want 5", n)
	}
}
