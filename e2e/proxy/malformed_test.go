package proxye2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// malformed is one hostile HTTP/1.1 request, sent as raw bytes.
type malformed struct {
	name string
	raw  string
	want []int // acceptable statuses
	// body: the head is valid and only the body framing is broken, so a
	// streaming proxy may have begun the backend request; it must not have
	// delivered a complete one (the backend's "completed" counter).
	body bool
}

const h = "Host: smuggle.test\r\n"

// malformedRequests are the request-smuggling and parser-confusion vectors
// from RFC 9112 §§2-7 and the literature (Kettle's "HTTP Desync Attacks",
// PortSwigger's TE obfuscations, the Node/llhttp and Go net/http CVEs).
// Each must be refused by the proxy and never reach the backend.
var malformedRequests = []malformed{
	{name: "CL.TE", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", want: []int{400}},
	{name: "TE.CL", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", want: []int{400}},
	{name: "duplicate Content-Length", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", want: []int{400}},
	{name: "Content-Length list", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: 5, 6\r\n\r\nhello!", want: []int{400}},
	{name: "Content-Length +5", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: +5\r\n\r\nhello", want: []int{400}},
	{name: "Content-Length -1", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n", want: []int{400}},
	{name: "Content-Length hex", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: 0x5\r\n\r\nhello", want: []int{400}},
	{name: "Content-Length overflow", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999999\r\n\r\nhello", want: []int{400, 413}},
	{name: "Content-Length space before colon", raw: "POST / HTTP/1.1\r\n" + h + "Content-Length : 5\r\n\r\nhello", want: []int{400}},
	{name: "TE obs-fold", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", want: []int{400}},
	{name: "TE chunked, identity", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", want: []int{400, 501}},
	{name: "TE identity", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello", want: []int{400, 501}},
	{name: "TE gzip, chunked", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", want: []int{400, 501}},
	{name: "TE space before colon", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", want: []int{400}},
	{name: "TE xchunked", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", want: []int{400, 501}},
	{name: "TE vertical tab", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n", want: []int{400}},
	{name: "TE twice", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: []int{400}},
	{name: "TE quoted", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", want: []int{400, 501}},
	{name: "TE on HTTP/1.0", raw: "POST / HTTP/1.0\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: []int{400}},
	{name: "bare LF line endings", raw: "GET / HTTP/1.1\n" + "Host: smuggle.test\n\n", want: []int{400}},
	{name: "bare LF in one header line", raw: "GET / HTTP/1.1\r\n" + h + "X-A: 1\nX-B: 2\r\n\r\n", want: []int{400}},
	{name: "bare CR line ending", raw: "GET / HTTP/1.1\r\n" + h + "X-A: 1\rX-B: 2\r\n\r\n", want: []int{400}},
	{name: "CR in header value", raw: "GET / HTTP/1.1\r\n" + h + "X-A: a\rb\r\n\r\n", want: []int{400}},
	{name: "NUL in header value", raw: "GET / HTTP/1.1\r\n" + h + "X-A: a\x00b\r\n\r\n", want: []int{400}},
	{name: "NUL in target", raw: "GET /a\x00b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "space in header name", raw: "GET / HTTP/1.1\r\n" + h + "X A: b\r\n\r\n", want: []int{400}},
	{name: "invalid char in header name", raw: "GET / HTTP/1.1\r\n" + h + "X@A: b\r\n\r\n", want: []int{400}},
	{name: "empty header name", raw: "GET / HTTP/1.1\r\n" + h + ": b\r\n\r\n", want: []int{400}},
	{name: "header line without colon", raw: "GET / HTTP/1.1\r\n" + h + "NoColonHere\r\n\r\n", want: []int{400}},
	{name: "obs-fold after first header", raw: "GET / HTTP/1.1\r\n" + h + "X-A: a\r\n b\r\n\r\n", want: []int{400}},
	{name: "whitespace before first header", raw: "GET / HTTP/1.1\r\n Host: smuggle.test\r\n\r\n", want: []int{400}},
	{name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", want: []int{400}},
	{name: "two Host headers", raw: "GET / HTTP/1.1\r\n" + h + "Host: other.test\r\n\r\n", want: []int{400}},
	{name: "Host list", raw: "GET / HTTP/1.1\r\nHost: smuggle.test, other.test\r\n\r\n", want: []int{400}},
	{name: "Host with space", raw: "GET / HTTP/1.1\r\nHost: smug gle.test\r\n\r\n", want: []int{400}},
	{name: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: user@smuggle.test\r\n\r\n", want: []int{400}},
	{name: "absolute-form with different Host", raw: "GET http://other.test/ HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "invalid chunk size", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", want: []int{400}, body: true},
	{name: "chunk size overflow", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n", want: []int{400, 413}, body: true},
	{name: "chunk size with leading space", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", want: []int{400}, body: true},
	{name: "chunk size 0x prefix", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", want: []int{400}, body: true},
	{name: "chunk data longer than size", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", want: []int{400}, body: true},
	{name: "chunk-ext bare LF", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n", want: []int{400}, body: true},
	{name: "chunk-ext abuse (64 KiB)", raw: "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5;" + strings.Repeat("a=b;", 16<<10) + "\r\nhello\r\n0\r\n\r\n", want: []int{400, 413}, body: true},
	{name: "oversized header", raw: "GET / HTTP/1.1\r\n" + h + "X-Big: " + strings.Repeat("a", 16<<10) + "\r\n\r\n", want: []int{431}},
	{name: "too many headers", raw: "GET / HTTP/1.1\r\n" + h + strings.Repeat("X-Many: a\r\n", 200) + "\r\n", want: []int{431, 400}},
	{name: "request line garbage", raw: "GARBAGE\r\n\r\n", want: []int{400}},
	{name: "request line extra token", raw: "GET / HTTP/1.1 extra\r\n" + h + "\r\n", want: []int{400}},
	{name: "request line double space", raw: "GET  / HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "request line tab", raw: "GET\t/ HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "invalid method char", raw: "G(T / HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "target not origin-form", raw: "GET foo HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "space in target", raw: "GET /a b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "control char in target", raw: "GET /a\x01b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "HTTP/0.9", raw: "GET /\r\n\r\n", want: []int{400}},
	{name: "lowercase version", raw: "GET / http/1.1\r\n" + h + "\r\n", want: []int{400}},
	{name: "HTTP/2.0 on HTTP/1 framing", raw: "GET / HTTP/2.0\r\n" + h + "\r\n", want: []int{400, 505}},
	{name: "HTTP/3.7", raw: "GET / HTTP/3.7\r\n" + h + "\r\n", want: []int{400, 505}},
	{name: "version with extra digits", raw: "GET / HTTP/1.10\r\n" + h + "\r\n", want: []int{400, 505}},
	{name: "CONNECT", raw: "CONNECT smuggle.test:443 HTTP/1.1\r\n" + h + "\r\n", want: []int{400, 405, 501}},
}

// readStatus reads one response head from r and returns its status code.
func readStatus(r *bufio.Reader) (int, string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, line, err
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") {
		return 0, line, fmt.Errorf("not a status line: %q", line)
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, line, err
	}
	// Skip the rest of the head.
	for {
		l, err := r.ReadString('\n')
		if err != nil || l == "\r\n" {
			break
		}
	}
	return code, line, nil
}

// TestMalformedRequests sends each vector on its own raw TCP connection,
// expects the listed status, expects the connection to be closed after it,
// and checks that the backend received nothing.
func TestMalformedRequests(t *testing.T) {
	b := startBackend(t, "victim")
	snap := catchAll(clusterOf("victim", "HTTP", b))
	snap.VirtualHosts[0].Domains = []string{"smuggle.test", "other.test"}
	snap.Limits = &Limits{MaxHeaderBytes: 8 << 10, MaxHeaderCount: 100}
	p := startProxy(t, snap, ProxyOptions{})

	// The route works for a well-formed request on a raw socket, so zero
	// backend requests below means "refused", not "misrouted".
	code, _ := rawExchange(t, p.Addr(), "GET / HTTP/1.1\r\n"+h+"Connection: close\r\n\r\n")
	if code != 200 {
		t.Fatalf("well-formed request: status %d, want 200", code)
	}
	if s := b.Stats(t); s.Requests != 1 {
		t.Fatalf("backend saw %d requests for one well-formed request", s.Requests)
	}
	b.Reset(t)

	for _, m := range malformedRequests {
		t.Run(m.name, func(t *testing.T) {
			code, closed := rawExchange(t, p.Addr(), m.raw)
			ok := false
			for _, w := range m.want {
				ok = ok || code == w
			}
			if !ok {
				t.Errorf("status %d, want one of %v", code, m.want)
			}
			if !closed {
				t.Errorf("connection still open after a refused request")
			}
			// Give a leaked request time to arrive before counting.
			time.Sleep(20 * time.Millisecond)
			s := b.Stats(t)
			if m.body {
				if s.Completed != 0 {
					t.Errorf("backend received %d complete requests", s.Completed)
				}
			} else if s.Requests != 0 {
				t.Errorf("backend received %d requests", s.Requests)
			}
			b.Reset(t)
		})
	}
}

// rawExchange writes raw on a new connection, reads one response status
// (0 when none came), and reports whether the proxy then closed the
// connection within 3 s.
func rawExchange(t *testing.T, addr, raw string) (int, bool) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// The proxy may answer and close before reading everything (oversized
	// heads): a write error after that is expected, so it is not fatal.
	go func() { io.WriteString(conn, raw) }()
	r := bufio.NewReader(conn)
	code, line, err := readStatus(r)
	if err != nil {
		t.Logf("no response (%v) %q", err, line)
		return 0, false
	}
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = io.Copy(io.Discard, r) // the error body, then EOF
	closed := err == nil || isReset(err)
	return code, closed
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}
