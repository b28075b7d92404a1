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

// malformed is one hostile HTTP/1.1 request, sent as raw bytes.
type malformed struct {
	name string
	raw  string
	want []int // acceptable statuses
	// body: the head is valid and only the body framing is broken, so a
	// streaming proxy may have begun the backend request; it must not have
	// delivered a complete one (the backend's "completed" counter).
	body bool
	// line: the request line itself does not parse. As the very first bytes
	// of a cleartext connection these may be closed on without an answer
	// (they are no HTTP/1 client; an HTTP/2 server closes on a bad preface
	// the same way, h2spec 3.5/2); after a request they must get the status.
	line bool
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
	{name: "NUL in target", raw: "GET /a\x00b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
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
	{name: "request line garbage", raw: "GARBAGE\r\n\r\n", want: []int{400}, line: true},
	{name: "request line extra token", raw: "GET / HTTP/1.1 extra\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "request line double space", raw: "GET  / HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "request line tab", raw: "GET\t/ HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "invalid method char", raw: "G(T / HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "target not origin-form", raw: "GET foo HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "space in target", raw: "GET /a b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "control char in target", raw: "GET /a\x01b HTTP/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "HTTP/0.9", raw: "GET /\r\n\r\n", want: []int{400}, line: true},
	{name: "lowercase version", raw: "GET / http/1.1\r\n" + h + "\r\n", want: []int{400}, line: true},
	{name: "HTTP/2.0 on HTTP/1 framing", raw: "GET / HTTP/2.0\r\n" + h + "\r\n", want: []int{400, 505}, line: true},
	{name: "HTTP/3.7", raw: "GET / HTTP/3.7\r\n" + h + "\r\n", want: []int{400, 505}, line: true},
	{name: "version with extra digits", raw: "GET / HTTP/1.10\r\n" + h + "\r\n", want: []int{400, 505}, line: true},
	{name: "CONNECT", raw: "CONNECT smuggle.test:443 HTTP/1.1\r\n" + h + "\r\n", want: []int{400, 405, 501}},
}

// TestMalformedRequests sends each vector twice, each time on its own raw
// TCP connection: first as the connection's first bytes, then pipelined
// behind a well-formed request (the classic desync set-up). It expects the
// listed status (and the well-formed request's 200 before it), the
// connection closed afterwards, and the backend to have received nothing
// but the well-formed request.
func TestMalformedRequests(t *testing.T) {
	b := startBackend(t, "victim")
	snap := catchAll(clusterOf("victim", "HTTP", b))
	snap.VirtualHosts[0].Domains = []string{"smuggle.test", "other.test"}
	snap.Limits = &Limits{MaxHeaderBytes: 8 << 10, MaxHeaderCount: 100}
	p := startProxy(t, snap, ProxyOptions{})

	// The route works for a well-formed request on a raw socket, so zero
	// backend requests below means "refused", not "misrouted".
	const valid = "GET /valid HTTP/1.1\r\n" + h + "\r\n"
	codes, _ := rawExchange(t, p.Addr(), valid+"GET /valid HTTP/1.1\r\n"+h+"Connection: close\r\n\r\n", 2)
	if len(codes) != 2 || codes[0] != 200 || codes[1] != 200 {
		t.Fatalf("two well-formed requests: statuses %v, want [200 200]", codes)
	}
	if s := b.Stats(t); s.Requests != 2 {
		t.Fatalf("backend saw %d requests for two well-formed requests", s.Requests)
	}
	b.Reset(t)

	for _, m := range malformedRequests {
		for _, pipelined := range []bool{false, true} {
			name := m.name + "/first"
			if pipelined {
				name = m.name + "/pipelined"
			}
			t.Run(name, func(t *testing.T) {
				raw, n, before := m.raw, 1, int64(0)
				if pipelined {
					raw, n, before = valid+m.raw, 2, 1
				}
				codes, closed := rawExchange(t, p.Addr(), raw, n)
				if pipelined && (len(codes) == 0 || codes[0] != 200) {
					t.Fatalf("the well-formed request before the vector: statuses %v", codes)
				}
				got := 0
				if len(codes) == n {
					got = codes[n-1]
				}
				ok := got == 0 && m.line && !pipelined && closed
				for _, w := range m.want {
					ok = ok || got == w
				}
				if !ok {
					t.Errorf("status %d, want one of %v", got, m.want)
				}
				if !closed {
					t.Errorf("connection still open after a refused request")
				}
				// Give a leaked request time to arrive before counting.
				time.Sleep(20 * time.Millisecond)
				s := b.Stats(t)
				if m.body {
					if s.Completed != before {
						t.Errorf("backend completed %d requests, want %d", s.Completed, before)
					}
				} else if s.Requests != before {
					t.Errorf("backend received %d requests, want %d", s.Requests, before)
				}
				b.Reset(t)
			})
		}
	}
}

// rawExchange writes raw on a new connection, reads up to n responses
// (fewer when the proxy closes first) and reports their statuses and
// whether the proxy then closed the connection within 3 s.
func rawExchange(t *testing.T, addr, raw string, n int) ([]int, bool) {
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
	var codes []int
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF && !isReset(err) {
				t.Logf("response %d: %v", i+1, err)
				return codes, false
			}
			return codes, true
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = io.Copy(io.Discard, r)
	return codes, err == nil || isReset(err)
}

func isReset(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe"))
}
