package proxye2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestInvalidChunkNeverForwarded: each chunk header of an HTTP/1.1 request
// body is validated before anything of its chunk (or, for the first chunk,
// of the request) goes to the backend; an invalid chunk after valid ones
// aborts the backend request (its connection is closed, never reused) and
// the client gets 400. The proxy has one worker and its backend connection
// is warm, so a forwarded head would leave at once.
func TestInvalidChunkNeverForwarded(t *testing.T) {
	rec := recordingBackend(t)
	p := startProxy(t, catchAll(rec.cluster("rec")), ProxyOptions{Workers: 1, Args: []string{"--access-log", "off"}})
	const head = "POST /chunked HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n"
	warm := func(t *testing.T) {
		t.Helper()
		codes, _ := rawExchange(t, p.Addr(), head+"5\r\nhello\r\n0\r\n\r\n"+
			"GET /close HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", 2)
		if len(codes) != 2 || codes[0] != 200 || codes[1] != 200 {
			t.Fatalf("well-formed chunked request: statuses %v, want [200 200]", codes)
		}
	}
	for _, tc := range []struct{ name, body string }{
		{"invalid first chunk size", "zz\r\nhello\r\n0\r\n\r\n"},
		{"invalid second chunk size", "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"},
		{"chunk data longer than its size", "5\r\nhello\r\n5\r\nworldXX\r\n0\r\n\r\n"},
	} {
		t.Run(tc.name+"/one write", func(t *testing.T) {
			warm(t)
			before, _, _, _ := rec.Snapshot()
			codes, closed := rawExchange(t, p.Addr(), head+tc.body, 1)
			if len(codes) != 1 || codes[0] != 400 || !closed {
				t.Errorf("statuses %v (closed %v), want [400] and the connection closed", codes, closed)
			}
			time.Sleep(50 * time.Millisecond)
			if got, _, _, _ := rec.Snapshot(); len(got) != len(before) {
				t.Errorf("bytes reached the backend: %q", got[len(before):])
			}
		})
	}

	t.Run("invalid chunk after a forwarded one", func(t *testing.T) {
		warm(t)
		_, conns, completed, aborted := rec.Snapshot()
		conn, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(conn, head+"5\r\nhello\r\n")
		if !waitFor(func() bool { got, _, _, _ := rec.Snapshot(); return strings.HasSuffix(got, "hello\r\n") }) {
			got, _, _, _ := rec.Snapshot()
			t.Fatalf("the first chunk did not reach the backend: %q", got)
		}
		io.WriteString(conn, "zz\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 400 {
			t.Fatalf("response %v, %v; want 400", resp, err)
		}
		if !waitFor(func() bool { _, _, _, a := rec.Snapshot(); return a == aborted+1 }) {
			t.Errorf("the backend request was not aborted (its connection stayed open)")
		}
		// The next request cannot use the aborted connection.
		warm(t)
		if _, c, done, _ := rec.Snapshot(); c == conns || done != completed+2 {
			t.Errorf("after the abort: %d new backend connections, %d requests completed; want a new one and 2",
				c-conns, done-completed)
		}
	})
}
