package proxye2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// recorder is a raw HTTP/1.1 backend that keeps every byte it receives, so
// a test can prove that nothing of a refused request reached a backend.
// It answers each complete request "200 ok" on a keep-alive connection; a
// connection that ends inside a request (an aborted one) is counted.
type recorder struct {
	Port int
	mu   sync.Mutex
	got  []byte
	// conns accepted; requests whose head and body arrived whole; requests
	// cut off by the proxy closing the connection.
	conns, completed, aborted int
}

// teeConn records what the backend reads.
type teeConn struct {
	net.Conn
	r *recorder
}

func (c teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.mu.Lock()
	c.r.got = append(c.r.got, p[:n]...)
	c.r.mu.Unlock()
	return n, err
}

func recordingBackend(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	r.Port = rawBackend(t, func(c net.Conn) {
		r.mu.Lock()
		r.conns++
		r.mu.Unlock()
		br := bufio.NewReader(teeConn{c, r})
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				if err != io.EOF {
					r.count(&r.aborted)
				}
				return
			}
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				r.count(&r.aborted)
				return
			}
			r.count(&r.completed)
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	return r
}

func (r *recorder) count(n *int) {
	r.mu.Lock()
	*n++
	r.mu.Unlock()
}

// Snapshot returns the bytes received so far and the three counters.
func (r *recorder) Snapshot() (got string, conns, completed, aborted int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(r.got), r.conns, r.completed, r.aborted
}

func (r *recorder) cluster(name string) Cluster {
	return Cluster{Name: name, Protocol: "HTTP", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: r.Port}}}
}
