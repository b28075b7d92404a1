package proxye2e

// Coalescing and staleness (docs/cache.md "Coalescing", "Stale responses"):
// 1,000 simultaneous misses make one backend request; a killed backend is
// hidden for staleIfError and no longer; staleWhileRevalidate answers at once
// and refreshes exactly once.

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestCacheThousandConcurrentMissesMakeOneBackendRequest: 1,000 clients on
// their own connections ask for one cold key of a slow backend at once:
// the backend sees exactly one request, and all 1,000 get 200 with its body
// (the waiters as collapsed hits).
func TestCacheThousandConcurrentMissesMakeOneBackendRequest(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "30s"})), ProxyOptions{})
	const n = 1000
	slow := hdr("X-Echo-Sleep", "1500ms")
	var (
		mu        sync.Mutex
		bodies    = map[string]int{}
		statuses  = map[int]int{}
		collapsed int
		errs      []error
		wg        sync.WaitGroup
		start     = make(chan struct{})
	)
	transport := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: n, DisableCompression: true}
	defer transport.CloseIdleConnections()
	c := &http.Client{Timeout: 20 * time.Second, Transport: transport}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("GET", p.URL("/herd"), nil)
			req.Host = cacheHost
			req.Header = slow.Clone()
			resp, err := c.Do(req)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			cs := resp.Header.Values("Cache-Status")
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			bodies[string(body)]++
			for _, v := range cs {
				if bytes.Contains([]byte(v), []byte("collapsed")) {
					collapsed++
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d requests failed, first: %v", len(errs), errs[0])
	}
	if statuses[200] != n || len(bodies) != 1 {
		t.Fatalf("statuses %v, %d distinct bodies: want %d×200 with one body", statuses, len(bodies), n)
	}
	if got := backendCount(t, be); got != 1 {
		t.Errorf("the backend saw %d requests, want exactly 1", got)
	}
	if collapsed < n/2 {
		// The 1.5 s fill outlasts the arrival of every client by far.
		t.Errorf("%d responses say collapsed, want most of %d", collapsed, n)
	}
	if v := metricValue(scrape(t, p.AdminPort), `archway_cache_coalesced_total{route="e2e/cache",rule="r"}`); v != float64(collapsed) {
		t.Errorf("archway_cache_coalesced_total = %v, want %d", v, collapsed)
	}
}

// TestCacheStaleIfErrorWhileTheBackendIsDown: with the backend killed, a
// stale entry is served within staleIfError, and the error passes through
// once the window is over.
func TestCacheStaleIfErrorWhileTheBackendIsDown(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "1s", StaleIfError: "3s"})), ProxyOptions{})
	c := h1Client()
	resp, stored := get(t, c, p, "GET", "/sie", nil)
	expectMiss(t, resp, "uri-miss", true)
	filled := time.Now()
	be.Kill()
	time.Sleep(time.Until(filled.Add(1500 * time.Millisecond)))
	resp, body := get(t, c, p, "GET", "/sie", nil)
	expectStale(t, resp, "stale-if-error")
	if !bytes.Equal(body, stored) {
		t.Errorf("the stale answer differs from the stored one")
	}
	// ttl 1 s + staleIfError 3 s: past 4 s (plus a second of Age rounding),
	// the backend's failure is the answer.
	time.Sleep(time.Until(filled.Add(5500 * time.Millisecond)))
	resp, body = get(t, c, p, "GET", "/sie", nil)
	if resp.StatusCode != 502 && resp.StatusCode != 503 {
		t.Fatalf("past staleIfError: status %d (X-Cache %q), want 502 or 503", resp.StatusCode, resp.Header.Get("X-Cache"))
	}
	errorBody(t, resp, body, resp.StatusCode)
}

// TestCacheStaleWhileRevalidateServesAtOnceAndRefreshesOnce: a stale entry
// within staleWhileRevalidate is answered at once (the backend takes 600 ms)
// while exactly one background request refreshes it; then it is a HIT again.
// X-Echo-Sleep is in the rule's varyHeaders so that the refresh, which sends
// the headers the key depends on, is slow too.
func TestCacheStaleWhileRevalidateServesAtOnceAndRefreshesOnce(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "1s", StaleWhileRevalidate: "10s",
		VaryHeaders: []string{"x-echo-sleep"}})), ProxyOptions{})
	c := h2cClient()
	slow := hdr("X-Echo-Sleep", "600ms")
	resp, _ := get(t, c, p, "GET", "/swr", slow)
	expectMiss(t, resp, "uri-miss", true)
	time.Sleep(1500 * time.Millisecond)
	for i := 0; i < 5; i++ {
		began := time.Now()
		resp, _ := get(t, c, p, "GET", "/swr", slow)
		if took := time.Since(began); took > 300*time.Millisecond {
			t.Errorf("stale answer %d took %v: it waited for the backend", i, took)
		}
		expectStale(t, resp, "stale-while-revalidate")
	}
	eventually(t, 5*time.Second, "the refreshed entry is a HIT", func() bool {
		resp, _ := get(t, c, p, "GET", "/swr", slow)
		return resp.Header.Get("X-Cache") == "HIT"
	})
	if n := backendCount(t, be); n != 2 {
		t.Errorf("the backend saw %d requests, want 2 (the fill and one refresh)", n)
	}
}
