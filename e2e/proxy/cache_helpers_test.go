package proxye2e

// Helpers of the cache tests (cache_*_test.go; docs/cache.md): a snapshot
// with cached rules in front of one test-backend, requests that say what the
// backend should answer (X-Echo-* controls), and Cache-Status parsed as the
// RFC 8941 list RFC 9211 makes it.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dunglas/httpsfv"
)

// cacheHost is the Host every cache test sends (the virtual host is "*").
const cacheHost = "cache.test"

// cachedRule routes PathPrefix `path` to cluster "api" under `c` (nil: no
// cache), with a request timeout that bounds every wait on a fill.
func cachedRule(rule, path string, c *Cache) Route {
	r := Route{Name: "e2e/cache/" + rule, RouteName: "e2e/cache", RuleName: rule,
		Matches:  []Match{{Path: prefix(path)}},
		Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
		Timeouts: &Timeouts{Request: "10s"}}
	if c != nil {
		r.Policies = &Policies{Cache: c}
	}
	return r
}

func cacheSnapshot(be *Backend, rules ...Route) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "cache", Domains: []string{"*"}, Routes: rules}},
		Clusters:     []Cluster{clusterOf("api", "HTTP", be)},
	}
}

// hdr builds request headers from name/value pairs; a name may repeat.
func hdr(pairs ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Add(pairs[i], pairs[i+1])
	}
	return h
}

// answer asks the backend to add these response headers ("Name: value").
func answer(fields ...string) http.Header {
	h := http.Header{}
	for _, f := range fields {
		h.Add("X-Echo-Set-Header", f)
	}
	return h
}

// with merges header sets (later ones add values).
func with(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// get sends GET (or method) to the proxy with Host cache.test.
func get(t testing.TB, c *http.Client, p *Proxy, method, path string, h http.Header) (*http.Response, []byte) {
	t.Helper()
	return do(t, c, method, p.URL(path), cacheHost, h, nil)
}

// backendCount is how many requests the backend has answered so far.
func backendCount(t testing.TB, be *Backend) int64 { return be.Stats(t).Requests }

// cacheStatus is the proxy's member of Cache-Status (cache name "archway").
type cacheStatus struct {
	raw       string
	hit       bool
	fwd       string // "", uri-miss, vary-miss, request, bypass
	stored    bool
	collapsed bool
	ttl       *int64
	fwdStatus int64
	detail    string
}

func parseCacheStatus(t testing.TB, resp *http.Response) cacheStatus {
	t.Helper()
	values := resp.Header.Values("Cache-Status")
	cs := cacheStatus{raw: strings.Join(values, ", ")}
	list, err := httpsfv.UnmarshalList(values)
	if err != nil {
		t.Fatalf("Cache-Status %q is not an RFC 8941 list: %v", cs.raw, err)
	}
	for _, m := range list {
		item, ok := m.(httpsfv.Item)
		if !ok || item.Value != httpsfv.Token("archway") {
			continue
		}
		if v, ok := item.Params.Get("hit"); ok {
			cs.hit = v == true
		}
		if v, ok := item.Params.Get("fwd"); ok {
			tok, _ := v.(httpsfv.Token)
			cs.fwd = string(tok)
		}
		if v, ok := item.Params.Get("stored"); ok {
			cs.stored = v == true
		}
		if v, ok := item.Params.Get("collapsed"); ok {
			cs.collapsed = v == true
		}
		if v, ok := item.Params.Get("ttl"); ok {
			n, _ := v.(int64)
			cs.ttl = &n
		}
		if v, ok := item.Params.Get("fwd-status"); ok {
			cs.fwdStatus, _ = v.(int64)
		}
		if v, ok := item.Params.Get("detail"); ok {
			switch d := v.(type) {
			case httpsfv.Token:
				cs.detail = string(d)
			case string:
				cs.detail = d
			}
		}
		return cs
	}
	t.Fatalf("no archway member in Cache-Status %q", cs.raw)
	return cs
}

// expectHit checks a response served from the cache: X-Cache HIT and
// Cache-Status "archway; hit; ttl=N".
func expectHit(t testing.TB, resp *http.Response) cacheStatus {
	t.Helper()
	cs := parseCacheStatus(t, resp)
	if got := resp.Header.Get("X-Cache"); got != "HIT" || !cs.hit || cs.fwd != "" || cs.ttl == nil {
		t.Fatalf("X-Cache %q, Cache-Status %q: want a hit", got, cs.raw)
	}
	return cs
}

// expectMiss checks a forwarded eligible request: X-Cache MISS and
// Cache-Status "archway; fwd=<fwd>; fwd-status=<status>" (+ stored when
// `stored`).
func expectMiss(t testing.TB, resp *http.Response, fwd string, stored bool) cacheStatus {
	t.Helper()
	cs := parseCacheStatus(t, resp)
	if got := resp.Header.Get("X-Cache"); got != "MISS" || cs.hit || cs.fwd != fwd || cs.stored != stored ||
		cs.fwdStatus != int64(resp.StatusCode) {
		t.Fatalf("X-Cache %q, Cache-Status %q: want MISS with fwd=%s, stored=%v, fwd-status=%d",
			got, cs.raw, fwd, stored, resp.StatusCode)
	}
	return cs
}

// expectBypass checks an ineligible request: no X-Cache, fwd=bypass.
func expectBypass(t testing.TB, resp *http.Response) {
	t.Helper()
	cs := parseCacheStatus(t, resp)
	if got := resp.Header.Get("X-Cache"); got != "" || cs.fwd != "bypass" || cs.hit || cs.stored {
		t.Fatalf("X-Cache %q, Cache-Status %q: want a bypass (no X-Cache, fwd=bypass)", got, cs.raw)
	}
}

// expectStale checks a stale response served for `detail`.
func expectStale(t testing.TB, resp *http.Response, detail string) cacheStatus {
	t.Helper()
	cs := parseCacheStatus(t, resp)
	if got := resp.Header.Get("X-Cache"); got != "STALE" || !cs.hit || cs.ttl == nil || *cs.ttl > 0 ||
		cs.detail != detail {
		t.Fatalf("X-Cache %q, Cache-Status %q: want STALE, a hit with ttl <= 0 and detail=%s", got, cs.raw, detail)
	}
	return cs
}

// eventually retries f every 50 ms until it returns true or `within` passes.
func eventually(t testing.TB, within time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
