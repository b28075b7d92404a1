package proxye2e

import (
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// blackHole returns a loopback port whose SYNs go unanswered: a socket
// that listens with a backlog of 0 and never accepts, its queue filled by
// connections the test holds, so a further connect hangs (Linux drops the
// SYN while the accept queue is full) until the connector gives up.
func blackHole(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	// Fill the queue until a connect no longer completes at once.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return port // this one hung: the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatalf("127.0.0.1:%d kept accepting connections: no black hole", port)
	return 0
}

// TestClusterConnectTimeout: a cluster's connectTimeout bounds opening a
// connection to an endpoint that never answers: the request gets 502 at
// about that time (not the request timeout), counted as a connect failure.
func TestClusterConnectTimeout(t *testing.T) {
	port := blackHole(t)
	cluster := Cluster{Name: "hole", Protocol: "HTTP", ConnectTimeout: "300ms",
		Endpoints: []Endpoint{{Address: "127.0.0.1", Port: port}}}
	p := startProxy(t, Snapshot{
		VirtualHosts: []VirtualHost{{Name: "h", Domains: []string{"hole.test"}, Routes: []Route{
			to("hole", Match{Path: prefix("/")}, "hole"),
		}}},
		Clusters: []Cluster{cluster},
		Limits:   &Limits{RequestTimeout: "10s"},
	}, ProxyOptions{})
	start := time.Now()
	resp, body := do(t, h1Client(), "GET", p.URL("/"), "hole.test", nil, nil)
	took := time.Since(start)
	errorBody(t, resp, body, http.StatusBadGateway)
	if took < 250*time.Millisecond || took > 3*time.Second {
		t.Errorf("502 after %v, want about the 300 ms connectTimeout", took)
	}
	m := scrape(t, p.AdminPort)
	if v := metricValue(m, `archway_upstream_connect_failures_total{cluster="hole"}`); v != 1 {
		t.Errorf("connect failures = %v, want 1\n%s", v, grepLines(m, "upstream"))
	}
}
