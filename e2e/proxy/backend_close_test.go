package proxye2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawBackend listens on loopback and runs serve on each connection (closed
// after serve returns; 10 s deadline). Returns the port.
func rawBackend(t *testing.T, serve func(c net.Conn)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				serve(c)
			}(c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// closingBackend answers one request per connection with a keep-alive
// response (no "Connection: close") and then closes the connection after
// `linger`: the proxy has put the connection back in its pool by then, and
// finds it closed when it next picks it. Returns the port and a counter of
// requests answered.
func closingBackend(t *testing.T, linger time.Duration) (int, *atomic.Int64) {
	t.Helper()
	var served atomic.Int64
	port := rawBackend(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		n := served.Add(1)
		reply := fmt.Sprintf("%s %d %d", req.Method, len(body), n)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(reply), reply)
		time.Sleep(linger)
	})
	return port, &served
}

// TestBackendClosesIdleConnections: a backend that closes each kept-alive
// connection a moment after answering on it. Plain backend connections go
// idle without a read posted (docs/proxy.md, "Backends"), so the proxy
// learns of the close only when it picks the connection again. Every
// request must still succeed: a bodyless GET by being sent again on a fresh
// connection, a POST with a body (which could not be sent again) because
// the pool checks the idle connection before using it.
func TestBackendClosesIdleConnections(t *testing.T) {
	port, served := closingBackend(t, 20*time.Millisecond)
	cluster := Cluster{Name: "closing", Protocol: "HTTP", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: port}}}
	p := startProxy(t, catchAll(cluster), ProxyOptions{Workers: 1, Args: []string{"--access-log", "off"}})
	c := h1Client()
	const rounds = 20
	for i := 0; i < rounds; i++ {
		method, body := "GET", ""
		if i%2 == 1 {
			method, body = "POST", strings.Repeat("p", 1000+i)
		}
		req, _ := http.NewRequest(method, p.URL("/x"), strings.NewReader(body))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("round %d (%s): %v", i, method, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("round %d (%s): status %d: %s", i, method, resp.StatusCode, got)
		}
		fields := strings.Fields(string(got))
		if len(fields) != 3 || fields[0] != method || fields[1] != strconv.Itoa(len(body)) {
			t.Fatalf("round %d: backend saw %q, want %s with %d body bytes", i, got, method, len(body))
		}
		// Long enough for the backend to have closed the connection, well
		// under the pool's one-second watch.
		time.Sleep(100 * time.Millisecond)
	}
	// Each request reached the backend exactly once: no POST went twice.
	if n := served.Load(); n != rounds {
		t.Fatalf("backend answered %d requests, want %d", n, rounds)
	}
}

// TestOnlyIdempotentRequestsAreRetried: a backend that reads the second
// request on each connection and closes without answering (as if it died
// while handling it). A GET there is sent again on a fresh connection and
// succeeds; a POST without a body is not sent twice (RFC 9110 §9.2.2: the
// backend may have acted on it) and the client gets 502.
func TestOnlyIdempotentRequestsAreRetried(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	port := rawBackend(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for n := 1; ; n++ {
			req, err := http.ReadRequest(r)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			mu.Lock()
			seen[req.Method+" "+req.URL.Path]++
			mu.Unlock()
			if n == 2 {
				return // read, then gone without an answer
			}
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	cluster := Cluster{Name: "dying", Protocol: "HTTP", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: port}}}
	p := startProxy(t, catchAll(cluster), ProxyOptions{Workers: 1, Args: []string{"--access-log", "off"}})
	c := h1Client()
	send := func(method, path string) int {
		req, _ := http.NewRequest(method, p.URL(path), nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, step := range []struct {
		method, path string
		status, seen int
	}{
		{"GET", "/first", 200, 1}, // a fresh connection, kept alive
		{"GET", "/again", 200, 2}, // its second request dies: sent again on a fresh one, kept alive
		{"POST", "/once", 502, 1}, // the fresh one's second request dies: not sent again
	} {
		if got := send(step.method, step.path); got != step.status {
			t.Fatalf("%s %s: status %d, want %d", step.method, step.path, got, step.status)
		}
		mu.Lock()
		n := seen[step.method+" "+step.path]
		mu.Unlock()
		if n != step.seen {
			t.Fatalf("%s %s reached the backend %d times, want %d", step.method, step.path, n, step.seen)
		}
	}
}
