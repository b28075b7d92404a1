package proxye2e

import (
	"strings"
	"testing"
	"time"
)

// h2FramingProxy starts a one-worker proxy in front of a recording backend
// and checks that a well-formed h2c request reaches it, so that "nothing
// reached the backend" later means refused, not misrouted.
func h2FramingProxy(t *testing.T) (*Proxy, *recorder) {
	t.Helper()
	rec := recordingBackend(t)
	p := startProxy(t, catchAll(rec.cluster("rec")), ProxyOptions{Workers: 1, Args: []string{"--access-log", "off"}})
	c := dialH2Raw(t, p.Addr())
	c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/ok", ":authority", "a.test",
		"content-length", "5")
	c.data(1, true, "hello")
	if o := c.read(1, nil); o.Status != "200" || string(o.Body) != "ok" {
		t.Fatalf("a well-formed request: %+v, want 200 ok", o)
	}
	return p, rec
}

// TestH2ContentLengthMismatchNeverReachesBackend: RFC 9113 §8.1.1 makes a
// request whose content-length disagrees with its DATA malformed. The proxy
// resets the stream, and the backend never receives a complete request: a
// declared length of 0 holds the head until END_STREAM (so not one byte
// leaves), and the DATA that completes a declared length waits for
// END_STREAM (so the body is never whole before the framing is known).
func TestH2ContentLengthMismatchNeverReachesBackend(t *testing.T) {
	p, rec := h2FramingProxy(t)
	_, _, completedBefore, _ := rec.Snapshot()
	for i, tc := range []struct {
		name   string
		length string
		data   []string // DATA frames; the last one carries END_STREAM
		// noBytes: not even the head may reach the backend.
		noBytes bool
	}{
		{"length 0 then DATA", "0", []string{"hello"}, true},
		{"length 5 then 7 bytes", "5", []string{"hello", "XX"}, false},
		{"length 5 then 3 bytes", "5", []string{"hel"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _, _, _ := rec.Snapshot()
			c := dialH2Raw(t, p.Addr())
			stream := uint32(2*i + 1)
			c.headers(stream, false, ":method", "POST", ":scheme", "http", ":path", "/lie",
				":authority", "a.test", "content-length", tc.length)
			for j, d := range tc.data {
				// The backend has time to act on what it got before the rest.
				time.Sleep(50 * time.Millisecond)
				c.data(stream, j == len(tc.data)-1, d)
			}
			o := c.read(stream, nil)
			if !o.Reset {
				t.Errorf("stream not reset: %+v", o)
			}
			time.Sleep(50 * time.Millisecond)
			got, _, completed, _ := rec.Snapshot()
			if completed != completedBefore {
				t.Errorf("the backend completed %d requests, want %d", completed-completedBefore, 0)
			}
			if tc.noBytes && len(got) != len(before) {
				t.Errorf("bytes reached the backend: %q", got[len(before):])
			}
		})
	}
	// A declared length of 0 with END_STREAM on an empty DATA frame is
	// well-formed: the held head goes out then.
	c := dialH2Raw(t, p.Addr())
	c.headers(1, false, ":method", "POST", ":scheme", "http", ":path", "/empty", ":authority", "a.test",
		"content-length", "0")
	time.Sleep(20 * time.Millisecond)
	c.data(1, true, "")
	if o := c.read(1, nil); o.Status != "200" {
		t.Fatalf("length 0 and an empty END_STREAM: %+v, want 200", o)
	}
}

// TestH2HostDifferentFromAuthorityRefused: a Host field naming another
// authority than :authority is malformed (RFC 9113 §8.3.1): 400, and not a
// byte reaches the backend. A Host equal to :authority (case and default
// port aside) is fine.
func TestH2HostDifferentFromAuthorityRefused(t *testing.T) {
	p, rec := h2FramingProxy(t)
	c := dialH2Raw(t, p.Addr())
	c.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/same", ":authority", "a.test",
		"host", "A.test:80")
	if o := c.read(1, nil); o.Status != "200" {
		t.Fatalf("host equal to :authority: %+v, want 200", o)
	}
	before, _, _, _ := rec.Snapshot()
	c.headers(3, true, ":method", "GET", ":scheme", "http", ":path", "/other", ":authority", "a.test",
		"host", "b.test")
	o := c.read(3, nil)
	if o.Status != "400" || !strings.Contains(string(o.Body), `"status":400`) {
		t.Errorf("host b.test with :authority a.test: %+v, want 400 with a JSON error", o)
	}
	time.Sleep(50 * time.Millisecond)
	if got, _, _, _ := rec.Snapshot(); len(got) != len(before) {
		t.Errorf("bytes reached the backend: %q", got[len(before):])
	}
}
