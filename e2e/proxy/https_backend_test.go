package proxye2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// tlsBackend is an in-process Go HTTPS backend: http/1.1 only by ALPN, or
// h2 and http/1.1. It counts the TCP connections it accepted.
type tlsBackend struct {
	Port  int
	conns atomic.Int64
}

// startTLSBackend serves on 127.0.0.1 with leaf. alpn is the server's ALPN
// list; without "h2" the server speaks HTTP/1.1 only.
//
//	GET  /download?n=N  N bytes of pattern
//	POST /upload        {"bytes": N, "sha256": "..."} of the body
//	POST /echo          the body back, after reading it all
//	GET  /ws            a WebSocket echo
//	anything else       "X-Proto: <proto> <alpn>", body "ok"
func startTLSBackend(t testing.TB, leaf leafCert, alpn ...string) *tlsBackend {
	t.Helper()
	cert, err := tls.X509KeyPair([]byte(leaf.CertPEM), []byte(leaf.KeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &tlsBackend{Port: ln.Addr().(*net.TCPAddr).Port}
	srv := &http.Server{
		Handler: http.HandlerFunc(tlsBackendHandler),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				b.conns.Add(1)
			}
		},
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: alpn},
	}
	h2 := false
	for _, p := range alpn {
		h2 = h2 || p == "h2"
	}
	if !h2 {
		// A non-nil empty map turns net/http's automatic HTTP/2 off.
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return b
}

func tlsBackendHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Proto", r.Proto+" "+r.TLS.NegotiatedProtocol)
	switch r.URL.Path {
	case "/download":
		n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		w.Header().Set("Content-Length", fmt.Sprint(n))
		io.Copy(w, &patternReader{n: n})
	case "/upload":
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		fmt.Fprintf(w, `{"bytes": %d, "sha256": %q}`, n, hex.EncodeToString(h.Sum(nil)))
	case "/echo":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		w.Write(body)
	case "/ws":
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(8 << 20)
		for {
			typ, m, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, m); err != nil {
				return
			}
		}
	default:
		io.WriteString(w, "ok")
	}
}

func httpsCluster(name string, b *tlsBackend, ca *testCA) Cluster {
	return Cluster{Name: name, Protocol: "HTTPS", TLSServerName: "backend.test", TLSCa: ca.PEM,
		Endpoints: []Endpoint{{Address: "127.0.0.1", Port: b.Port}}}
}

// TestHTTPSBackendHTTP1 proxies to an HTTPS backend that offers only
// http/1.1 by ALPN: requests go over HTTP/1.1 on TLS connections the proxy
// keeps alive, large bodies stream both ways, WebSocket tunnels through,
// a backend whose certificate does not verify gets 502, and an h2 backend
// on the same proxy still gets HTTP/2.
func TestHTTPSBackendHTTP1(t *testing.T) {
	ca := newCA(t)
	h1 := startTLSBackend(t, ca.leaf(t, "backend.test", "backend.test"), "http/1.1")
	h2 := startTLSBackend(t, ca.leaf(t, "backend.test", "backend.test"), "h2", "http/1.1")
	other := newCA(t) // signs the wrong backend's certificate: not trusted
	bad := startTLSBackend(t, other.leaf(t, "backend.test", "backend.test"), "http/1.1")
	snap := Snapshot{
		VirtualHosts: []VirtualHost{
			{Name: "h1", Domains: []string{"h1.test"}, Routes: []Route{to("h1", Match{Path: prefix("/")}, "h1")}},
			{Name: "h2", Domains: []string{"h2.test"}, Routes: []Route{to("h2", Match{Path: prefix("/")}, "h2")}},
			{Name: "bad", Domains: []string{"bad.test"}, Routes: []Route{to("bad", Match{Path: prefix("/")}, "bad")}},
			// The same backend as another cluster (its own TLS context, so
			// nothing remembered): its first request is a large POST.
			{Name: "h1post", Domains: []string{"h1post.test"}, Routes: []Route{to("h1post", Match{Path: prefix("/")}, "h1post")}},
		},
		Clusters: []Cluster{httpsCluster("h1", h1, ca), httpsCluster("h2", h2, ca), httpsCluster("bad", bad, ca),
			httpsCluster("h1post", h1, ca)},
	}
	// One worker: every request of a client connection shares its pool.
	p := startProxy(t, snap, ProxyOptions{Workers: 1})
	c := h1Client()

	t.Run("first-request-large-post", func(t *testing.T) {
		// The body waits on the HTTP/2 attempt (beyond its 64 KiB queue the
		// client is held back) and moves with the request to HTTP/1.1.
		const size = 8 << 20
		h := sha256.New()
		io.Copy(h, &patternReader{n: size})
		want := fmt.Sprintf(`{"bytes": %d, "sha256": %q}`, size, hex.EncodeToString(h.Sum(nil)))
		req, _ := http.NewRequest("POST", p.URL("/upload"), &patternReader{n: size})
		req.Host = "h1post.test"
		req.ContentLength = size
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("status %d body %q, want %s", resp.StatusCode, trunc(body), want)
		}
	})

	t.Run("get-keepalive", func(t *testing.T) {
		const n = 20
		before := h1.conns.Load()
		for i := 0; i < n; i++ {
			resp, body := do(t, c, "GET", p.URL(fmt.Sprintf("/get/%d", i)), "h1.test", nil, nil)
			if resp.StatusCode != 200 || string(body) != "ok" {
				t.Fatalf("request %d: status %d body %q", i, resp.StatusCode, trunc(body))
			}
			if got := resp.Header.Get("X-Proto"); got != "HTTP/1.1 http/1.1" {
				t.Fatalf("backend saw %q, want HTTP/1.1 over ALPN http/1.1", got)
			}
		}
		conns := h1.conns.Load() - before
		t.Logf("%d requests, %d backend connections", n, conns)
		if conns >= n || conns > 2 {
			t.Errorf("backend saw %d connections for %d sequential requests: no keep-alive", conns, n)
		}
	})

	t.Run("post-large-both-ways", func(t *testing.T) {
		const size = 16 << 20
		h := sha256.New()
		io.Copy(h, &patternReader{n: size})
		want := fmt.Sprintf(`{"bytes": %d, "sha256": %q}`, size, hex.EncodeToString(h.Sum(nil)))
		resp, body := do(t, c, "POST", p.URL("/upload"), "h1.test", nil, &patternReader{n: size})
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("upload: status %d body %q, want %s", resp.StatusCode, trunc(body), want)
		}
		req, _ := http.NewRequest("GET", p.URL(fmt.Sprintf("/download?n=%d", size)), nil)
		req.Host = "h1.test"
		dl, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer dl.Body.Close()
		if dl.StatusCode != 200 {
			t.Fatalf("download: status %d", dl.StatusCode)
		}
		if err := checkPattern(dl.Body, size); err != nil {
			t.Fatalf("download: %v", err)
		}
		// A body sent without a length (chunked to the backend) and echoed.
		msg := bytes.Repeat([]byte("0123456789abcdef"), 256<<10) // 4 MiB
		resp, body = do(t, c, "POST", p.URL("/echo"), "h1.test", nil, io.NopCloser(bytes.NewReader(msg)))
		if resp.StatusCode != 200 || !bytes.Equal(body, msg) {
			t.Fatalf("echo: status %d, %d bytes back of %d", resp.StatusCode, len(body), len(msg))
		}
	})

	t.Run("websocket", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ws, resp, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{
			HTTPClient: h1Client(), Host: "h1.test"})
		if err != nil {
			t.Fatalf("dial: %v (response %v)", err, resp)
		}
		defer ws.CloseNow()
		ws.SetReadLimit(8 << 20)
		for _, size := range []int{5, 70000, 2 << 20} {
			msg := bytes.Repeat([]byte{'w'}, size)
			if err := ws.Write(ctx, websocket.MessageBinary, msg); err != nil {
				t.Fatalf("write %d bytes: %v", size, err)
			}
			if _, m, err := ws.Read(ctx); err != nil || !bytes.Equal(m, msg) {
				t.Fatalf("echo of %d bytes: %d bytes, %v", size, len(m), err)
			}
		}
		ws.Close(websocket.StatusNormalClosure, "bye")
	})

	t.Run("wrong-certificate-502", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			resp, body := do(t, c, "GET", p.URL("/"), "bad.test", nil, nil)
			errorBody(t, resp, body, 502)
		}
	})

	t.Run("h2-backend-still-h2", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			resp, body := do(t, c, "GET", p.URL("/x"), "h2.test", nil, nil)
			if resp.StatusCode != 200 || string(body) != "ok" {
				t.Fatalf("status %d body %q", resp.StatusCode, trunc(body))
			}
			if got := resp.Header.Get("X-Proto"); got != "HTTP/2.0 h2" {
				t.Fatalf("h2 backend saw %q, want HTTP/2.0 h2", got)
			}
		}
		resp, body := do(t, c, "POST", p.URL("/upload"), "h2.test", nil, &patternReader{n: 1 << 20})
		if resp.StatusCode != 200 {
			t.Fatalf("h2 upload: status %d body %q", resp.StatusCode, trunc(body))
		}
		if n := h2.conns.Load(); n != 1 {
			t.Errorf("h2 backend saw %d connections, want 1 (multiplexed)", n)
		}
	})
}
