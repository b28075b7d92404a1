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
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// catchAll is a snapshot routing every host and path to one cluster.
func catchAll(cluster Cluster) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "all", Domains: []string{"*"}, Routes: []Route{
			to("all", Match{Path: prefix("/")}, cluster.Name)}}},
		Clusters: []Cluster{cluster},
	}
}

// TestTLSSNI serves three virtual hosts with three certificates on one TLS
// listener and checks that each SNI name gets its own certificate and its
// own backend, over h2 and HTTP/1.1 (chosen by ALPN).
func TestTLSSNI(t *testing.T) {
	ca := newCA(t)
	hosts := []struct{ vhost, sni, certName string }{
		{"a", "a.test", "a.test"},
		{"b", "b.test", "b.test"},
		{"wild", "x.wild.test", "*.wild.test"},
	}
	snap := Snapshot{}
	for _, h := range hosts {
		b := startBackend(t, "tls-"+h.vhost)
		leaf := ca.leaf(t, h.certName, h.certName)
		snap.VirtualHosts = append(snap.VirtualHosts, VirtualHost{
			Name: h.vhost, Domains: []string{h.certName}, TLS: leaf.snapshotTLS(),
			Routes: []Route{to(h.vhost, Match{Path: prefix("/")}, h.vhost)},
		})
		snap.Clusters = append(snap.Clusters, clusterOf(h.vhost, "HTTP", b))
	}
	p := startProxy(t, snap, ProxyOptions{TLS: true})

	for _, h := range hosts {
		for _, proto := range []string{"h2", "http/1.1"} {
			t.Run(h.sni+"/"+proto, func(t *testing.T) {
				conn, err := tls.Dial("tcp", p.TLSAddr(), ca.tlsConfig(h.sni, proto))
				if err != nil {
					t.Fatalf("TLS handshake for %s: %v", h.sni, err)
				}
				st := conn.ConnectionState()
				conn.Close()
				if got := st.PeerCertificates[0].Subject.CommonName; got != h.certName {
					t.Errorf("SNI %s: certificate for %q, want %q", h.sni, got, h.certName)
				}
				if st.NegotiatedProtocol != proto {
					t.Errorf("ALPN: %q, want %q", st.NegotiatedProtocol, proto)
				}
				var c *http.Client
				if proto == "h2" {
					c = h2TLSClient(ca.tlsConfig(h.sni))
				} else {
					c = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
						Proxy: nil, TLSClientConfig: ca.tlsConfig(h.sni), ForceAttemptHTTP2: false,
						TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
					}}
				}
				// The TLS config names the SNI; the URL names the address.
				resp, body := do(t, c, "GET", "https://"+p.TLSAddr()+"/sni", h.sni, nil, nil)
				e := echoOf(t, resp, body)
				if e.Name != "tls-"+h.vhost {
					t.Errorf("routed to %s, want tls-%s", e.Name, h.vhost)
				}
				if got := strings.Join(e.Header("X-Forwarded-Proto"), ","); got != "https" {
					t.Errorf("X-Forwarded-Proto %q, want https", got)
				}
				wantProto := map[string]int{"h2": 2, "http/1.1": 1}[proto]
				if resp.ProtoMajor != wantProto {
					t.Errorf("response over HTTP/%d, want %d", resp.ProtoMajor, wantProto)
				}
			})
		}
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestForwardingHeaders checks X-Forwarded-For / -Proto, X-Request-Id and
// traceparent as the backend sees them.
func TestForwardingHeaders(t *testing.T) {
	b := startBackend(t, "fwd")
	p := startProxy(t, catchAll(clusterOf("fwd", "HTTP", b)), ProxyOptions{})
	traceRe := regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$`)
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			e := getEcho(t, cl.c, "GET", p.URL("/fwd"), "fwd.test", nil, nil)
			if got := strings.Join(e.Header("X-Forwarded-For"), ","); got != "127.0.0.1" {
				t.Errorf("X-Forwarded-For %q, want 127.0.0.1", got)
			}
			if got := strings.Join(e.Header("X-Forwarded-Proto"), ","); got != "http" {
				t.Errorf("X-Forwarded-Proto %q, want http", got)
			}
			rid := e.Header("X-Request-Id")
			if len(rid) != 1 || len(rid[0]) < 16 {
				t.Errorf("X-Request-Id %q: want one generated id", rid)
			}
			tp := e.Header("Traceparent")
			if len(tp) != 1 || !traceRe.MatchString(tp[0]) || strings.Contains(tp[0], strings.Repeat("0", 32)) {
				t.Errorf("traceparent %q: want a new valid W3C traceparent", tp)
			}
			e2 := getEcho(t, cl.c, "GET", p.URL("/fwd"), "fwd.test", nil, nil)
			if rid2 := e2.Header("X-Request-Id"); len(rid) == 1 && len(rid2) == 1 && rid2[0] == rid[0] {
				t.Errorf("two requests got the same X-Request-Id %q", rid[0])
			}

			// A client's X-Forwarded-For is appended to; its trace is continued.
			const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
			hdr := http.Header{
				"X-Forwarded-For": {"203.0.113.7"},
				"Traceparent":     {"00-" + trace + "-00f067aa0ba902b7-01"},
				"Tracestate":      {"congo=t61rcWkgMzE"},
			}
			e = getEcho(t, cl.c, "GET", p.URL("/fwd"), "fwd.test", hdr, nil)
			if got := strings.Join(e.Header("X-Forwarded-For"), ", "); got != "203.0.113.7, 127.0.0.1" {
				t.Errorf("X-Forwarded-For %q, want \"203.0.113.7, 127.0.0.1\"", got)
			}
			tp = e.Header("Traceparent")
			if len(tp) != 1 || !traceRe.MatchString(tp[0]) || traceRe.FindStringSubmatch(tp[0])[1] != trace {
				t.Errorf("traceparent %q: want trace id %s kept", tp, trace)
			}
			if got := strings.Join(e.Header("Tracestate"), ","); got != "congo=t61rcWkgMzE" {
				t.Errorf("tracestate %q, want it forwarded", got)
			}
		})
	}
}

// patternReader yields n bytes of test-backend's pattern.
type patternReader struct{ off, n int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if r.n-r.off < k {
		k = r.n - r.off
	}
	for i := int64(0); i < k; i++ {
		p[i] = pattern[(r.off+i)%int64(len(pattern))]
	}
	r.off += k
	return int(k), nil
}

// checkPattern reads r to its end and reports whether it is n pattern bytes.
func checkPattern(r io.Reader, n int64) error {
	buf := make([]byte, 256<<10)
	var off int64
	for {
		k, err := r.Read(buf)
		for i := 0; i < k; i++ {
			if buf[i] != pattern[(off+int64(i))%int64(len(pattern))] {
				return fmt.Errorf("byte %d is %q, want %q", off+int64(i), buf[i], pattern[(off+int64(i))%int64(len(pattern))])
			}
		}
		off += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("after %d bytes: %v", off, err)
		}
	}
	if off != n {
		return fmt.Errorf("got %d bytes, want %d", off, n)
	}
	return nil
}

// TestLargeBodies streams 64 MiB each way through HTTP/1.1 and h2c, with a
// client and a backend that pause before reading, and checks the proxy's
// peak RSS grows by far less than a body: bodies are streamed with
// back-pressure, never buffered whole.
func TestLargeBodies(t *testing.T) {
	const size = 64 << 20
	const maxGrowthKiB = 24 << 10 // 24 MiB: well under one 64 MiB body
	b := startBackend(t, "big")
	p := startProxy(t, catchAll(clusterOf("big", "HTTP", b)), ProxyOptions{})
	_, base := p.Memory(t)
	for _, cl := range clients() {
		t.Run(cl.name+"/download", func(t *testing.T) {
			req, _ := http.NewRequest("GET", p.URL("/download"), nil)
			req.Header.Set("X-Echo-Body-Bytes", fmt.Sprint(size))
			resp, err := cl.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			time.Sleep(time.Second) // a slow client: the proxy must stop reading the backend
			if err := checkPattern(resp.Body, size); err != nil {
				t.Fatal(err)
			}
		})
		t.Run(cl.name+"/upload", func(t *testing.T) {
			h := sha256.New()
			io.Copy(h, &patternReader{n: size})
			want := hex.EncodeToString(h.Sum(nil))
			req, _ := http.NewRequest("POST", p.URL("/upload"), &patternReader{n: size})
			req.ContentLength = size
			req.Header.Set("X-Echo-Read-Delay", "1s") // a slow backend
			resp, err := cl.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			e := echoOf(t, resp, body)
			if e.BodyBytes != size || e.BodySHA != want {
				t.Fatalf("backend got %d bytes sha256 %s, want %d %s", e.BodyBytes, e.BodySHA, size, want)
			}
		})
	}
	t.Run("h2c/echo-chunked", func(t *testing.T) {
		const n = 8 << 20
		req, _ := http.NewRequest("POST", p.URL("/echo"), io.NopCloser(&patternReader{n: n}))
		req.ContentLength = -1 // no length: streamed
		req.Header.Set("X-Echo-Mode", "echo")
		resp, err := h2cClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := checkPattern(resp.Body, n); err != nil {
			t.Fatal(err)
		}
	})
	rss, peak := p.Memory(t)
	t.Logf("proxy RSS: start peak %d KiB, now %d KiB, peak %d KiB", base, rss, peak)
	if peak-base > maxGrowthKiB {
		t.Errorf("proxy peak RSS grew %d KiB moving 64 MiB bodies (limit %d KiB): bodies are buffered", peak-base, maxGrowthKiB)
	}
}

// grpcConn dials the proxy's cleartext listener with gRPC over h2c.
func grpcConn(t testing.TB, addr string, dials *int) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if dials != nil {
		opts = append(opts, grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			*dials++
			var d net.Dialer
			return d.DialContext(ctx, "tcp", a)
		}))
	}
	cc, err := grpc.NewClient("passthrough:///"+addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// TestGRPC runs unary, server-streaming and bidirectional calls through the
// proxy to an h2c cluster and checks messages, headers, trailers and error
// statuses arrive as the backend sent them.
func TestGRPC(t *testing.T) {
	if pendingH2CBackends != "" {
		t.Skip(pendingH2CBackends)
	}
	ca := newCA(t)
	b := startBackend(t, "grpc")
	snap := catchAll(clusterOf("grpc", "H2C", b))
	snap.VirtualHosts[0].TLS = ca.leaf(t, "grpc.test", "grpc.test").snapshotTLS()
	p := startProxy(t, snap, ProxyOptions{TLS: true})
	tlsConn, err := grpc.NewClient("passthrough:///"+p.TLSAddr(),
		grpc.WithTransportCredentials(credentials.NewTLS(ca.tlsConfig("grpc.test"))))
	if err != nil {
		t.Fatal(err)
	}
	defer tlsConn.Close()
	for _, tr := range []struct {
		name string
		cc   grpc.ClientConnInterface
	}{{"h2c", grpcConn(t, p.Addr(), nil)}, {"tls", tlsConn}} {
		t.Run(tr.name, func(t *testing.T) { grpcCalls(t, testpb.NewTestServiceClient(tr.cc)) })
	}
}

// grpcCalls is TestGRPC's body for one client connection.
func grpcCalls(t *testing.T, client testpb.TestServiceClient) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("unary", func(t *testing.T) {
		var hdr, trl metadata.MD
		resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{ResponseSize: 100 << 10},
			grpc.Header(&hdr), grpc.Trailer(&trl))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetPayload().GetBody()) != 100<<10 || resp.GetUsername() != "grpc" {
			t.Errorf("payload %d bytes from %q", len(resp.GetPayload().GetBody()), resp.GetUsername())
		}
		if got := hdr.Get("x-backend-name"); len(got) != 1 || got[0] != "grpc" {
			t.Errorf("header x-backend-name %q", got)
		}
		if got := trl.Get("x-backend-trailer"); len(got) != 1 || got[0] != "done-grpc" {
			t.Errorf("trailer x-backend-trailer %q", got)
		}
	})
	t.Run("unary-error", func(t *testing.T) {
		_, err := client.UnaryCall(ctx, &testpb.SimpleRequest{
			ResponseStatus: &testpb.EchoStatus{Code: int32(codes.ResourceExhausted), Message: "no more"}})
		if st := status.Convert(err); st.Code() != codes.ResourceExhausted || st.Message() != "no more" {
			t.Errorf("status %v %q, want ResourceExhausted \"no more\"", st.Code(), st.Message())
		}
	})
	t.Run("server-streaming", func(t *testing.T) {
		req := &testpb.StreamingOutputCallRequest{}
		for i := 1; i <= 50; i++ {
			req.ResponseParameters = append(req.ResponseParameters, &testpb.ResponseParameters{Size: int32(i * 100), IntervalUs: 2000})
		}
		stream, err := client.StreamingOutputCall(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; ; i++ {
			m, err := stream.Recv()
			if err == io.EOF {
				if i != 51 {
					t.Errorf("stream ended after %d messages, want 50", i-1)
				}
				break
			}
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if len(m.GetPayload().GetBody()) != i*100 {
				t.Fatalf("message %d: %d bytes, want %d", i, len(m.GetPayload().GetBody()), i*100)
			}
		}
		if got := stream.Trailer().Get("x-backend-trailer"); len(got) != 1 || got[0] != "done-grpc" {
			t.Errorf("trailer x-backend-trailer %q", got)
		}
	})
	t.Run("bidi", func(t *testing.T) {
		stream, err := client.FullDuplexCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			msg := []byte(fmt.Sprintf("ping %d %s", i, strings.Repeat("x", i*37)))
			if err := stream.Send(&testpb.StreamingOutputCallRequest{Payload: &testpb.Payload{Body: msg}}); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			m, err := stream.Recv()
			if err != nil {
				t.Fatalf("recv %d: %v", i, err)
			}
			if !bytes.Equal(m.GetPayload().GetBody(), msg) {
				t.Fatalf("echo %d differs", i)
			}
		}
		stream.CloseSend()
		if _, err := stream.Recv(); err != io.EOF {
			t.Fatalf("after CloseSend: %v, want EOF", err)
		}
		if got := stream.Trailer().Get("x-backend-trailer"); len(got) != 1 || got[0] != "done-grpc" {
			t.Errorf("trailer x-backend-trailer %q", got)
		}
	})
	t.Run("bidi-error-status", func(t *testing.T) {
		stream, err := client.FullDuplexCall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stream.Send(&testpb.StreamingOutputCallRequest{ResponseStatus: &testpb.EchoStatus{Code: int32(codes.PermissionDenied), Message: "denied"}})
		_, err = stream.Recv()
		if st := status.Convert(err); st.Code() != codes.PermissionDenied || st.Message() != "denied" {
			t.Errorf("status %v %q, want PermissionDenied \"denied\"", st.Code(), st.Message())
		}
	})
}

// TestWebSocket upgrades through the proxy and echoes text and binary
// messages, small and large.
func TestWebSocket(t *testing.T) {
	b := startBackend(t, "ws")
	p := startProxy(t, catchAll(clusterOf("ws", "HTTP", b)), ProxyOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{HTTPClient: h1Client()})
	if err != nil {
		t.Fatalf("dial: %v (response %v)", err, resp)
	}
	defer c.CloseNow()
	c.SetReadLimit(8 << 20)
	if err := c.Write(ctx, websocket.MessageText, []byte("name")); err != nil {
		t.Fatal(err)
	}
	if _, m, err := c.Read(ctx); err != nil || string(m) != "ws" {
		t.Fatalf("name: %q %v", m, err)
	}
	for i, size := range []int{1, 125, 126, 65535, 65536, 4 << 20} {
		typ := websocket.MessageBinary
		if i%2 == 0 {
			typ = websocket.MessageText
		}
		msg := bytes.Repeat([]byte{byte('a' + i)}, size)
		if err := c.Write(ctx, typ, msg); err != nil {
			t.Fatalf("write %d bytes: %v", size, err)
		}
		gotTyp, m, err := c.Read(ctx)
		if err != nil || gotTyp != typ || !bytes.Equal(m, msg) {
			t.Fatalf("echo of %d bytes: type %v len %d err %v", size, gotTyp, len(m), err)
		}
	}
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Errorf("close: %v", err)
	}
	if s := b.Stats(t); s.WebSockets != 1 {
		t.Errorf("backend saw %d websockets, want 1", s.WebSockets)
	}
}

// TestCommandLineClients runs curl, nghttp and h2load against the proxy:
// real clients with their own codecs, over HTTP/1.1, h2c and h2 over TLS.
func TestCommandLineClients(t *testing.T) {
	for _, tool := range []string{"curl", "nghttp", "h2load"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (scripts/install-deps.sh installs it)", tool)
		}
	}
	ca := newCA(t)
	leaf := ca.leaf(t, "cli.test", "cli.test")
	b := startBackend(t, "cli")
	snap := catchAll(clusterOf("cli", "HTTP", b))
	snap.VirtualHosts[0].Domains = []string{"cli.test", "127.0.0.1"}
	snap.VirtualHosts[0].TLS = leaf.snapshotTLS()
	p := startProxy(t, snap, ProxyOptions{TLS: true})
	caFile := t.TempDir() + "/ca.pem"
	writeFile(t, caFile, ca.PEM)
	resolve := fmt.Sprintf("cli.test:%d:127.0.0.1", p.TLSPort)

	run := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	curlCases := []struct {
		name string
		args []string
		ver  string
	}{
		{"http1.1", []string{"--http1.1", p.URL("/curl")}, "1.1"},
		{"h2c", []string{"--http2-prior-knowledge", p.URL("/curl")}, "2"},
		{"h2-tls", []string{"--http2", "--cacert", caFile, "--resolve", resolve, fmt.Sprintf("https://cli.test:%d/curl", p.TLSPort)}, "2"},
		{"http1.1-tls", []string{"--http1.1", "--cacert", caFile, "--resolve", resolve, fmt.Sprintf("https://cli.test:%d/curl", p.TLSPort)}, "1.1"},
	}
	for _, c := range curlCases {
		t.Run("curl/"+c.name, func(t *testing.T) {
			out := run("curl", append([]string{"-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code} %{http_version}"}, c.args...)...)
			if out != "200 "+c.ver {
				t.Errorf("curl: %q, want \"200 %s\"", out, c.ver)
			}
		})
	}
	t.Run("nghttp/h2c", func(t *testing.T) {
		out := run("nghttp", "-ns", "-m", "20", p.URL("/nghttp"))
		if !strings.Contains(out, "200") {
			t.Errorf("nghttp: %s", out)
		}
	})
	h2loadOK := func(t *testing.T, out string, n int) {
		t.Helper()
		want := fmt.Sprintf("requests: %d total, %d started, %d done, %d succeeded, 0 failed, 0 errored", n, n, n, n)
		if !strings.Contains(out, want) || !strings.Contains(out, fmt.Sprintf("status codes: %d 2xx", n)) {
			t.Errorf("h2load: want %q and all 2xx:\n%s", want, out)
		}
	}
	t.Run("h2load/h2c", func(t *testing.T) {
		h2loadOK(t, run("h2load", "-n", "4000", "-c", "4", "-m", "10", p.URL("/h2load")), 4000)
	})
	t.Run("h2load/h2-tls", func(t *testing.T) {
		h2loadOK(t, run("h2load", "-n", "2000", "-c", "2", "-m", "10", fmt.Sprintf("https://127.0.0.1:%d/h2load", p.TLSPort)), 2000)
	})
	t.Run("h2load/http1.1", func(t *testing.T) {
		h2loadOK(t, run("h2load", "--h1", "-n", "2000", "-c", "4", p.URL("/h2load")), 2000)
	})
}
