package proxye2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Body mapping end to end (docs/transform.md): real HTTP/1.1 and h2c
// clients → archway-proxy → test-backend over HTTP/1.1 and h2c. The
// backend's echo reports the request body it got (length and SHA-256)
// and is itself the JSON response the response mapping acts on.

// bodyMapSnapshot routes /<mode>-<protocol>/... to an HTTP or H2C cluster
// of one backend, with request and response mappings; "pass" and "reject"
// differ only in onMismatch. maxBytes is 256: the echo (about 400 bytes
// with its headers) is over it unless the client's headers are few.
func bodyMapSnapshot(b *Backend) Snapshot {
	requestOps := []BodyOperation{
		{Op: "Move", From: "/user_name", Path: "/userName"},
		{Op: "Set", Path: "/meta/source", Value: map[string]any{"via": "gateway"}},
		{Op: "Remove", Path: "/internal~1id"},
		{Op: "Wrap", Key: "data"},
	}
	responseOps := []BodyOperation{
		{Op: "Move", From: "/name", Path: "/backend"},
		{Op: "Remove", Path: "/headers"},
		{Op: "Wrap", Key: "result"},
	}
	snap := Snapshot{Clusters: []Cluster{clusterOf("h1", "HTTP", b), clusterOf("h2c", "H2C", b)}}
	var routes []Route
	for _, mode := range []string{"Pass", "Reject"} {
		for _, protocol := range []string{"h1", "h2c"} {
			r := to(strings.ToLower(mode)+"-"+protocol, Match{Path: prefix("/" + strings.ToLower(mode) + "-" + protocol)}, protocol)
			r.Policies = &Policies{
				RequestBody:  &BodyMapping{Operations: requestOps, MaxBytes: 256, OnMismatch: mode},
				ResponseBody: &BodyMapping{Operations: responseOps, MaxBytes: 2048, OnMismatch: mode},
			}
			routes = append(routes, r)
		}
	}
	// A small response limit: the echo is over it.
	small := to("small", Match{Path: prefix("/small")}, "h1")
	small.Policies = &Policies{ResponseBody: &BodyMapping{Operations: responseOps, MaxBytes: 64}}
	smallReject := to("small-reject", Match{Path: prefix("/strict-small")}, "h1")
	smallReject.Policies = &Policies{ResponseBody: &BodyMapping{Operations: responseOps, MaxBytes: 64, OnMismatch: "Reject"}}
	routes = append(routes, small, smallReject, to("plain", Match{Path: prefix("/plain")}, "h1"))
	snap.VirtualHosts = []VirtualHost{{Name: "all", Domains: []string{"*"}, Routes: routes}}
	return snap
}

// unsized hides a body's length: HTTP/1.1 sends it chunked, HTTP/2 without
// content-length.
type unsized struct{ r io.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// mappedEcho decodes {"result": {"backend": ..., <echo without headers>}}.
func mappedEcho(t *testing.T, resp *http.Response, body []byte) Echo {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200; body %q", resp.StatusCode, trunc(body))
	}
	checkLength(t, resp, body)
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(body, &outer); err != nil || len(outer) != 1 || outer["result"] == nil {
		t.Fatalf("response is not wrapped under \"result\" (%v): %q", err, trunc(body))
	}
	var inner map[string]json.RawMessage
	json.Unmarshal(outer["result"], &inner)
	if _, ok := inner["headers"]; ok {
		t.Errorf("headers were not removed: %q", trunc(body))
	}
	if _, ok := inner["name"]; ok {
		t.Errorf("name was not moved: %q", trunc(body))
	}
	var e Echo
	json.Unmarshal(outer["result"], &e)
	json.Unmarshal(inner["backend"], &e.Name)
	if e.Name != "bodymap" {
		t.Errorf("backend %q, want bodymap: %q", e.Name, trunc(body))
	}
	return e
}

// checkLength: a Content-Length the client got, when it got one, is the
// body's (Go's clients check it too; this says which side was wrong).
func checkLength(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if cl := resp.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %s, body %d bytes", cl, len(body))
	}
	if resp.ContentLength >= 0 && resp.ContentLength != int64(len(body)) {
		t.Errorf("ContentLength %d, body %d bytes", resp.ContentLength, len(body))
	}
}

func TestBodyMappingMapsRequestAndResponseBodies(t *testing.T) {
	b := startBackend(t, "bodymap")
	p := startProxy(t, bodyMapSnapshot(b), ProxyOptions{Args: []string{"--access-log", "off"}})
	in := []byte(`{"user_name":"ada","internal/id":7,"items":[1,2]}`)
	want := []byte(`{"data":{"items":[1,2],"meta":{"source":{"via":"gateway"}},"userName":"ada"}}`)
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	for _, cl := range clients() {
		for _, backend := range []string{"h1", "h2c"} {
			for _, framing := range []string{"sized", "unsized"} {
				t.Run(cl.name+"/"+backend+"/"+framing, func(t *testing.T) {
					var body io.Reader = bytes.NewReader(in)
					if framing == "unsized" {
						body = unsized{bytes.NewReader(in)}
					}
					resp, got := do(t, cl.c, "POST", p.URL("/pass-"+backend+"/orders"), "", jsonHeader, body)
					e := mappedEcho(t, resp, got)
					if e.BodyBytes != int64(len(want)) || e.BodySHA != sha(want) {
						t.Errorf("backend got %d bytes (sha %s), want %q (%d bytes)", e.BodyBytes, e.BodySHA, want, len(want))
					}
					if e.Method != "POST" || e.Path != "/pass-"+backend+"/orders" {
						t.Errorf("backend got %s %s", e.Method, e.Path)
					}
				})
			}
		}
	}
}

func TestBodyMappingPassesWhatItCannotMapWhole(t *testing.T) {
	b := startBackend(t, "bodymap")
	p := startProxy(t, bodyMapSnapshot(b), ProxyOptions{Args: []string{"--access-log", "off"}})
	// Over the 256-byte request limit, and over one read or h2 frame: what
	// was collected goes first, then the rest as it comes.
	big := []byte(`{"pad":"` + strings.Repeat("x", 40000) + `"}`)
	cases := []struct {
		name, contentType string
		body              []byte
	}{
		{"not JSON by type", "text/plain", []byte(`{"user_name":"ada"}`)},
		{"not JSON by syntax", "application/json", []byte(`{"user_name":`)},
		{"shape mismatch", "application/json", []byte(`[1,2]`)},
		{"over the limit", "application/json", big},
	}
	for _, cl := range clients() {
		for _, tc := range cases {
			for _, framing := range []string{"sized", "unsized"} {
				t.Run(cl.name+"/"+tc.name+"/"+framing, func(t *testing.T) {
					var body io.Reader = bytes.NewReader(tc.body)
					if framing == "unsized" {
						body = unsized{bytes.NewReader(tc.body)}
					}
					hdr := http.Header{"Content-Type": {tc.contentType}}
					resp, got := do(t, cl.c, "POST", p.URL("/pass-h1/x"), "", hdr, body)
					e := mappedEcho(t, resp, got)
					if e.BodyBytes != int64(len(tc.body)) || e.BodySHA != sha(tc.body) {
						t.Errorf("backend got %d bytes, want the client's %d unchanged", e.BodyBytes, len(tc.body))
					}
				})
			}
		}
		t.Run(cl.name+"/response not JSON", func(t *testing.T) {
			hdr := http.Header{"X-Echo-Body-Bytes": {"100"}}
			resp, got := do(t, cl.c, "GET", p.URL("/pass-h2c/bytes"), "", hdr, nil)
			if resp.StatusCode != 200 || string(got) != strings.Repeat(pattern, 2)[:100] {
				t.Errorf("status %d, body %q: want the backend's 100 bytes unchanged", resp.StatusCode, trunc(got))
			}
			checkLength(t, resp, got)
		})
		t.Run(cl.name+"/response over the limit", func(t *testing.T) {
			resp, got := do(t, cl.c, "GET", p.URL("/small/x"), "", nil, nil)
			e := echoOf(t, resp, got) // the backend's own echo, not wrapped
			if e.Name != "bodymap" {
				t.Errorf("echo %q", trunc(got))
			}
			checkLength(t, resp, got)
		})
		t.Run(cl.name+"/error status passes", func(t *testing.T) {
			hdr := http.Header{"X-Echo-Status": {"404"}}
			resp, got := do(t, cl.c, "GET", p.URL("/reject-h1/x"), "", hdr, nil)
			var e Echo
			if resp.StatusCode != 404 || json.Unmarshal(got, &e) != nil || e.Name != "bodymap" {
				t.Errorf("status %d, body %q: want the backend's 404 echo unchanged", resp.StatusCode, trunc(got))
			}
		})
	}
}

func TestBodyMappingRejectsWhatItCannotMap(t *testing.T) {
	b := startBackend(t, "bodymap")
	p := startProxy(t, bodyMapSnapshot(b), ProxyOptions{Args: []string{"--access-log", "off"}})
	// Over the 256-byte limit yet one write: refused on its declared length,
	// the body is already on its way in full (Go's client sends it without
	// waiting for 100-continue), so the early answer breaks no write.
	big := []byte(`{"pad":"` + strings.Repeat("x", 1000) + `"}`)
	cases := []struct {
		name, contentType, encoding string
		body                        []byte
		status                      int
	}{
		{"not JSON by type", "text/plain", "", []byte(`{}`), 415},
		{"content coding", "application/json", "gzip", []byte(`{}`), 415},
		{"not JSON by syntax", "application/json", "", []byte(`{"a":`), 415},
		{"shape mismatch", "application/json", "", []byte(`[1]`), 422},
		{"over the limit", "application/json", "", big, 413},
	}
	for _, cl := range clients() {
		for _, tc := range cases {
			for _, framing := range []string{"sized", "unsized"} {
				t.Run(cl.name+"/"+tc.name+"/"+framing, func(t *testing.T) {
					b.Reset(t)
					var body io.Reader = bytes.NewReader(tc.body)
					if framing == "unsized" {
						body = unsized{bytes.NewReader(tc.body)}
					}
					hdr := http.Header{"Content-Type": {tc.contentType}}
					if tc.encoding != "" {
						hdr.Set("Content-Encoding", tc.encoding)
					}
					var resp *http.Response
					var got []byte
					if tc.status == 413 && framing == "unsized" {
						// Refused mid-body: the proxy stops reading, so the
						// body is fed from a pipe that may be left unread
						// (limits_test.go's streamed request).
						pw, done := streamed(cl.c, p.URL("/reject-h2c/x"), hdr)
						defer pw.Close()
						write(pw, len(tc.body))
						resp = await(t, done)
						got, _ = io.ReadAll(resp.Body)
						resp.Body.Close()
					} else {
						resp, got = do(t, cl.c, "POST", p.URL("/reject-h2c/x"), "", hdr, body)
					}
					errorBody(t, resp, got, tc.status)
					checkLength(t, resp, got)
					if n := b.Stats(t).Requests; n != 0 {
						t.Errorf("%d requests reached the backend, want none", n)
					}
				})
			}
		}
		t.Run(cl.name+"/response not JSON", func(t *testing.T) {
			resp, got := do(t, cl.c, "GET", p.URL("/reject-h1/bytes"), "", http.Header{"X-Echo-Body-Bytes": {"100"}}, nil)
			errorBody(t, resp, got, 502)
		})
		t.Run(cl.name+"/response over the limit", func(t *testing.T) {
			resp, got := do(t, cl.c, "GET", p.URL("/strict-small/x"), "", nil, nil)
			errorBody(t, resp, got, 502)
		})
	}
}

// A route without body mapping streams: the echo mode's body comes back
// byte for byte, and the response keeps the backend's own framing.
func TestBodyMappingOffStreamsUntouched(t *testing.T) {
	b := startBackend(t, "bodymap")
	p := startProxy(t, bodyMapSnapshot(b), ProxyOptions{Args: []string{"--access-log", "off"}})
	in := []byte(`{"user_name":"ada"}`)
	for _, cl := range clients() {
		hdr := http.Header{"Content-Type": {"application/json"}}
		resp, got := do(t, cl.c, "POST", p.URL("/plain/x"), "", hdr, bytes.NewReader(in))
		var e Echo
		if err := json.Unmarshal(got, &e); err != nil || e.BodySHA != sha(in) {
			t.Errorf("%s: status %d body %q: want the unmapped echo of the client's body", cl.name, resp.StatusCode, trunc(got))
		}
		var generic map[string]any
		json.Unmarshal(got, &generic)
		if !reflect.DeepEqual(generic["name"], "bodymap") {
			t.Errorf("%s: response was mapped: %q", cl.name, trunc(got))
		}
	}
}
