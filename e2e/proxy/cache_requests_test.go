package proxye2e

// What a request asks of the cache (docs/cache.md "What a request can ask"):
// HEAD from a stored GET, conditional requests answered by the cache,
// Cache-Control no-cache / no-store / only-if-cached, and bodies over
// maxBodyBytes that stream through whole and are not kept.

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestCacheHeadServedFromGet: after a GET is stored, HEAD is a HIT with the
// GET's headers and no body; a HEAD on a cold key goes to the backend and
// stores nothing.
func TestCacheHeadServedFromGet(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			path := "/head/" + cl.name
			before := backendCount(t, be)
			resp, _ := get(t, cl.c, p, "HEAD", path+"/cold", nil)
			if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "MISS" {
				t.Fatalf("HEAD on a cold key: %d, X-Cache %q", resp.StatusCode, resp.Header.Get("X-Cache"))
			}
			resp, _ = get(t, cl.c, p, "GET", path+"/cold", nil)
			expectMiss(t, resp, "uri-miss", true) // the HEAD stored nothing

			getResp, body := get(t, cl.c, p, "GET", path, nil)
			expectMiss(t, getResp, "uri-miss", true)
			head, headBody := get(t, cl.c, p, "HEAD", path, nil)
			expectHit(t, head)
			if len(headBody) != 0 {
				t.Errorf("HEAD answered %d body bytes", len(headBody))
			}
			if got := head.Header.Get("Content-Length"); got != "" && got != strconv.Itoa(len(body)) {
				t.Errorf("HEAD Content-Length %q, want %d (the GET's)", got, len(body))
			}
			if head.Header.Get("Content-Type") != getResp.Header.Get("Content-Type") {
				t.Errorf("HEAD Content-Type %q, GET's %q", head.Header.Get("Content-Type"), getResp.Header.Get("Content-Type"))
			}
			if n := backendCount(t, be) - before; n != 3 {
				t.Errorf("the backend saw %d requests, want 3 (HEAD, GET, GET)", n)
			}
		})
	}
}

// TestCacheConditionalRequestsAnsweredFromTheEntry: If-None-Match (strong or
// weak, or *) matching the stored ETag gets a 304 from the cache with the
// validators and no body; a different tag gets the whole response;
// If-Modified-Since at or after Last-Modified gets a 304 too.
func TestCacheConditionalRequestsAnsweredFromTheEntry(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h1Client()
	const lastModified = "Wed, 21 Oct 2026 07:28:00 GMT"
	validators := answer(`ETag: "v1"`, "Last-Modified: "+lastModified)
	resp, _ := get(t, c, p, "GET", "/etag", validators)
	expectMiss(t, resp, "uri-miss", true)
	for _, tc := range []struct {
		name string
		h    http.Header
		want int
	}{
		{"strong", hdr("If-None-Match", `"v1"`), 304},
		{"weak", hdr("If-None-Match", `W/"v1"`), 304},
		{"list", hdr("If-None-Match", `"v0", "v1"`), 304},
		{"star", hdr("If-None-Match", "*"), 304},
		{"other tag", hdr("If-None-Match", `"v2"`), 200},
		{"since", hdr("If-Modified-Since", lastModified), 304},
		{"before", hdr("If-Modified-Since", "Tue, 20 Oct 2026 07:28:00 GMT"), 200},
		{"tag wins over date", hdr("If-None-Match", `"v2"`, "If-Modified-Since", lastModified), 200},
	} {
		resp, body := get(t, c, p, "GET", "/etag", with(validators, tc.h))
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
			continue
		}
		expectHit(t, resp)
		if tc.want == 304 {
			if len(body) != 0 || resp.Header.Get("ETag") != `"v1"` || resp.Header.Get("Last-Modified") != lastModified {
				t.Errorf("%s: 304 with ETag %q, Last-Modified %q, %d body bytes", tc.name,
					resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), len(body))
			}
		}
	}
	if n := backendCount(t, be); n != 1 {
		t.Errorf("the backend saw %d requests, want 1", n)
	}
}

// TestCacheRequestDirectives: no-cache (and Pragma: no-cache) go to the
// backend and refresh the entry; no-store bypasses; only-if-cached on a cold
// key is a 504 that reaches no backend; Range bypasses.
func TestCacheRequestDirectives(t *testing.T) {
	be := startBackend(t, "cache")
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "10s"})), ProxyOptions{})
	c := h2cClient()
	resp, _ := get(t, c, p, "GET", "/d", nil)
	expectMiss(t, resp, "uri-miss", true)
	resp, _ = get(t, c, p, "GET", "/d", nil)
	expectHit(t, resp)

	resp, _ = get(t, c, p, "GET", "/d", hdr("Cache-Control", "no-cache"))
	expectMiss(t, resp, "request", true)
	resp, _ = get(t, c, p, "GET", "/d", hdr("Pragma", "no-cache"))
	expectMiss(t, resp, "request", true)
	if n := backendCount(t, be); n != 3 {
		t.Fatalf("no-cache / Pragma: the backend saw %d requests, want 3", n)
	}
	resp, _ = get(t, c, p, "GET", "/d", hdr("Cache-Control", "no-store"))
	expectBypass(t, resp)
	resp, _ = get(t, c, p, "GET", "/d", hdr("Cache-Control", "only-if-cached"))
	expectHit(t, resp)

	resp, body := get(t, c, p, "GET", "/cold", hdr("Cache-Control", "only-if-cached"))
	errorBody(t, resp, body, 504)
	if n := backendCount(t, be); n != 4 {
		t.Errorf("the backend saw %d requests, want 4 (only-if-cached reaches none)", n)
	}
	resp, _ = get(t, c, p, "GET", "/ranged", hdr("Range", "bytes=0-1"))
	expectBypass(t, resp)
}

// TestCacheBodyOverMaxBodyBytesStreamsWholeAndIsNotKept: a body five times
// maxBodyBytes, announced by Content-Length or chunked without one, reaches
// the client byte for byte and is not stored.
func TestCacheBodyOverMaxBodyBytesStreamsWholeAndIsNotKept(t *testing.T) {
	be := startBackend(t, "cache")
	const limit, size = 64 * 1024, 5 * 64 * 1024
	p := startProxy(t, cacheSnapshot(be, cachedRule("r", "/", &Cache{TTL: "10s", MaxBodyBytes: limit})), ProxyOptions{})
	want := []byte(strings.Repeat(pattern, size/len(pattern)+1)[:size])
	for _, cl := range clients() {
		for _, mode := range []string{"length", "chunked"} {
			h := hdr("X-Echo-Body-Bytes", strconv.Itoa(size))
			if mode == "chunked" {
				h.Set("X-Echo-Chunked", "1")
			}
			path := "/big/" + cl.name + "/" + mode
			before := backendCount(t, be)
			for i := 0; i < 2; i++ {
				resp, body := get(t, cl.c, p, "GET", path, h)
				if resp.StatusCode != 200 || !bytes.Equal(body, want) {
					t.Fatalf("%s %s: status %d, %d bytes, want %d bytes of the pattern", cl.name, mode,
						resp.StatusCode, len(body), size)
				}
				// Without Content-Length the head (and its Cache-Status) goes
				// out before the body is counted: "stored" can only be said
				// there as an intent. What was kept shows on the next request.
				if cs := parseCacheStatus(t, resp); resp.Header.Get("X-Cache") != "MISS" || cs.hit ||
					(mode == "length" && cs.stored) {
					t.Errorf("%s %s request %d: X-Cache %q, Cache-Status %q: want a MISS (not stored)",
						cl.name, mode, i, resp.Header.Get("X-Cache"), cs.raw)
				}
			}
			if n := backendCount(t, be) - before; n != 2 {
				t.Errorf("%s %s: the backend saw %d requests, want 2", cl.name, mode, n)
			}
		}
	}
	// A body of exactly maxBodyBytes is kept.
	small := hdr("X-Echo-Body-Bytes", strconv.Itoa(limit), "X-Echo-Chunked", "1")
	resp, _ := get(t, h1Client(), p, "GET", "/small", small)
	expectMiss(t, resp, "uri-miss", true)
	resp, body := get(t, h1Client(), p, "GET", "/small", small)
	expectHit(t, resp)
	if !bytes.Equal(body, want[:limit]) {
		t.Errorf("the stored body has %d bytes, want %d of the pattern", len(body), limit)
	}
}
