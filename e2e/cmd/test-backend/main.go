// Command test-backend is the backend that Archway's proxy e2e tests and
// benchmarks put behind the proxy. One process serves, on one loopback port:
//
//   - HTTP/1.1 and h2c (HTTP/2 with prior knowledge): every request is
//     answered with a JSON description of itself (see Echo), shaped by
//     X-Echo-* request headers;
//   - WebSocket (RFC 6455 upgrade over HTTP/1.1): every message is echoed;
//   - gRPC over h2c: grpc.testing.TestService (unary, server streaming,
//     bidirectional streaming), with response headers and trailers naming
//     the backend.
//
// It listens on -listen (default 127.0.0.1:0) and prints one line,
// "listening 127.0.0.1:PORT", once it accepts connections, so a test can
// start many of them without choosing ports. With -tls-cert/-tls-key it
// serves TLS (h2 and http/1.1 by ALPN) instead.
//
// Request controls (request headers, all optional):
//
//	X-Echo-Status: 418           response status
//	X-Echo-Status-For: bad=500   that status only from the backend named bad
//	X-Echo-Sleep: 250ms          wait before answering (a Go duration)
//	X-Echo-Sleep-For: slow=50ms  that wait only in the backend named slow
//	X-Echo-Set-Header: K: V      add a response header (repeatable)
//	X-Echo-Body-Bytes: N         answer N bytes of a fixed pattern, streamed,
//	                             instead of the JSON description
//	X-Echo-Chunked: 1            with X-Echo-Body-Bytes: no Content-Length,
//	                             each 63 KiB piece flushed as its own chunk
//	X-Echo-Mode: echo            stream the request body back as the response
//	X-Echo-Abort: 1              drop the connection without answering
//	X-Echo-Read-Delay: 1s        wait before reading the request body (a
//	                             slow reader, to test back-pressure)
//
// Each control may also be given as a query parameter of the same name
// (?x-echo-status=500), for requests whose headers the test does not write
// (the parts of an aggregate: their paths come from the proxy's config).
//
// Paths under /__backend/ are not counted and not echoed:
//
//	/__backend/stats   {"name":..,"requests":N,"completed":N,"websockets":N,"grpc":N}
//	                   requests: heads received; completed: requests whose
//	                   body was read to its end without error
//	/__backend/reset   sets the counters to zero
//	/__backend/healthz a health-check target: answers the health status
//	                   (200 unless set), counted in "healthChecks" with
//	                   the last caller's User-Agent in "healthUserAgent"
//	/__backend/healthz/set?status=503
//	                   sets that status, so a test can make one endpoint
//	                   fail its health checks while it still serves traffic
package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Echo is the JSON body of an ordinary answer.
type Echo struct {
	Name      string              `json:"name"`
	Method    string              `json:"method"`
	Path      string              `json:"path"`    // decoded path
	RawPath   string              `json:"rawPath"` // request-target as sent, path part
	Query     string              `json:"query"`   // raw query, without '?'
	Host      string              `json:"host"`    // Host / :authority
	Proto     string              `json:"proto"`   // HTTP/1.1 | HTTP/2.0
	Headers   map[string][]string `json:"headers"` // canonical names
	BodyBytes int64               `json:"bodyBytes"`
	BodySHA   string              `json:"bodySha256"`
}

type counters struct {
	requests, completed, websockets, grpc, healthChecks atomic.Int64
}

type backend struct {
	name            string
	c               counters
	grpc            *grpc.Server
	healthStatus    atomic.Int64 // what /__backend/healthz answers; 0: 200
	healthUserAgent atomic.Value // string: the last health check's User-Agent
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	name := flag.String("name", "backend", "name reported in every answer")
	certFile := flag.String("tls-cert", "", "serve TLS with this certificate (PEM)")
	keyFile := flag.String("tls-key", "", "private key for -tls-cert (PEM)")
	flag.Parse()

	b := &backend{name: *name}
	b.healthUserAgent.Store("")
	b.grpc = grpc.NewServer()
	testpb.RegisterTestServiceServer(b.grpc, &testService{b: b})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("test-backend: %v", err)
	}
	srv := &http.Server{
		Handler:           b,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	srv.Protocols = &protocols

	fmt.Printf("listening %s\n", ln.Addr())
	os.Stdout.Sync()

	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	if *certFile != "" {
		srv.TLSConfig = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
		err = srv.ServeTLS(ln, *certFile, *keyFile)
	} else {
		err = srv.Serve(ln)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("test-backend: %v", err)
	}
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__backend/") {
		b.admin(w, r)
		return
	}
	if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
		b.c.grpc.Add(1)
		b.grpc.ServeHTTP(w, r)
		return
	}
	b.c.requests.Add(1)
	for k, vs := range r.URL.Query() {
		if strings.HasPrefix(strings.ToLower(k), "x-echo-") {
			for _, v := range vs {
				r.Header.Add(k, v)
			}
		}
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		b.websocket(w, r)
		return
	}
	if r.Header.Get("X-Echo-Abort") != "" {
		panic(http.ErrAbortHandler) // net/http closes the connection, answers nothing
	}
	if d := r.Header.Get("X-Echo-Read-Delay"); d != "" {
		if dur, err := time.ParseDuration(d); err == nil {
			time.Sleep(dur)
		}
	}
	sleep := r.Header.Get("X-Echo-Sleep")
	// X-Echo-Sleep-For: NAME=DURATION sleeps only in the backend named
	// NAME: one endpoint of a cluster is slow, the others answer at once.
	for _, v := range r.Header.Values("X-Echo-Sleep-For") {
		if name, d, ok := strings.Cut(v, "="); ok && name == b.name {
			sleep = d
		}
	}
	if d := sleep; d != "" {
		if dur, err := time.ParseDuration(d); err == nil {
			select {
			case <-time.After(dur):
			case <-r.Context().Done():
				return
			}
		}
	}
	for _, kv := range r.Header.Values("X-Echo-Set-Header") {
		if k, v, ok := strings.Cut(kv, ":"); ok {
			w.Header().Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	code := http.StatusOK
	if s := r.Header.Get("X-Echo-Status"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 200 && n <= 599 {
			code = n
		}
	}
	// X-Echo-Status-For: NAME=CODE answers CODE only from the backend
	// named NAME: one endpoint of a cluster fails, the others answer.
	for _, v := range r.Header.Values("X-Echo-Status-For") {
		if name, s, ok := strings.Cut(v, "="); ok && name == b.name {
			if n, err := strconv.Atoi(s); err == nil && n >= 200 && n <= 599 {
				code = n
			}
		}
	}
	w.Header().Set("X-Backend-Name", b.name)

	if r.Header.Get("X-Echo-Mode") == "echo" {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(code)
		if r.ProtoMajor == 1 {
			// net/http's HTTP/1 server closes the request body at the first
			// response write unless told that the exchange is full duplex.
			http.NewResponseController(w).EnableFullDuplex()
		}
		if _, err := io.Copy(w, r.Body); err == nil {
			b.c.completed.Add(1)
		}
		return
	}
	if s := r.Header.Get("X-Echo-Body-Bytes"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "bad X-Echo-Body-Bytes", http.StatusBadRequest)
			return
		}
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		b.c.completed.Add(1)
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.Header.Get("X-Echo-Chunked") == "" {
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
			w.WriteHeader(code)
			writePattern(w, n)
			return
		}
		w.WriteHeader(code)
		writePattern(flushWriter{w}, n)
		return
	}

	h := sha256.New()
	n, err := io.Copy(h, r.Body)
	if err != nil {
		return // the client or the proxy gave up on the body: not a request
	}
	b.c.completed.Add(1)
	e := Echo{
		Name:      b.name,
		Method:    r.Method,
		Path:      r.URL.Path,
		RawPath:   r.URL.EscapedPath(),
		Query:     r.URL.RawQuery,
		Host:      r.Host,
		Proto:     r.Proto,
		Headers:   r.Header,
		BodyBytes: n,
		BodySHA:   hex.EncodeToString(h.Sum(nil)),
	}
	body, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// Pattern is the byte stream X-Echo-Body-Bytes answers: byte i is
// Pattern[i%len(Pattern)], so a client can check any range it receives.
const Pattern = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"

// flushWriter flushes after every write, so each is its own chunk.
type flushWriter struct{ w http.ResponseWriter }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	http.NewResponseController(f.w).Flush()
	return n, err
}

func writePattern(w io.Writer, n int64) {
	chunk := []byte(strings.Repeat(Pattern, 1024)) // a whole number of patterns
	for n > 0 {
		k := int64(len(chunk))
		if n < k {
			k = n
		}
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

func (b *backend) admin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/__backend/stats":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"name":            b.name,
			"requests":        b.c.requests.Load(),
			"completed":       b.c.completed.Load(),
			"websockets":      b.c.websockets.Load(),
			"grpc":            b.c.grpc.Load(),
			"healthChecks":    b.c.healthChecks.Load(),
			"healthUserAgent": b.healthUserAgent.Load(),
		})
	case "/__backend/healthz":
		b.c.healthChecks.Add(1)
		b.healthUserAgent.Store(r.UserAgent())
		code := int(b.healthStatus.Load())
		if code == 0 {
			code = http.StatusOK
		}
		w.WriteHeader(code)
	case "/__backend/healthz/set":
		code, err := strconv.Atoi(r.URL.Query().Get("status"))
		if err != nil || code < 100 || code > 599 {
			http.Error(w, "status must be 100..599", http.StatusBadRequest)
			return
		}
		b.healthStatus.Store(int64(code))
		w.WriteHeader(http.StatusNoContent)
	case "/__backend/reset":
		b.c.requests.Store(0)
		b.c.completed.Store(0)
		b.c.websockets.Store(0)
		b.c.grpc.Store(0)
		b.c.healthChecks.Store(0)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// websocket echoes every message until the client closes. The first text
// message "name" is answered with the backend's name instead.
func (b *backend) websocket(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	b.c.websockets.Add(1)
	c.SetReadLimit(16 << 20)
	defer c.CloseNow()
	ctx := context.Background()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageText && string(msg) == "name" {
			msg = []byte(b.name)
		}
		if err := c.Write(ctx, typ, msg); err != nil {
			return
		}
	}
}

// testService implements grpc.testing.TestService. Every call sends the
// header "x-backend-name" and the trailer "x-backend-trailer".
type testService struct {
	testpb.UnimplementedTestServiceServer
	b *backend
}

func (s *testService) meta(ctx context.Context) {
	grpc.SetHeader(ctx, metadata.Pairs("x-backend-name", s.b.name))
	grpc.SetTrailer(ctx, metadata.Pairs("x-backend-trailer", "done-"+s.b.name))
}

func (s *testService) EmptyCall(ctx context.Context, _ *testpb.Empty) (*testpb.Empty, error) {
	s.meta(ctx)
	return &testpb.Empty{}, nil
}

func (s *testService) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	s.meta(ctx)
	if st := req.GetResponseStatus(); st != nil && st.GetCode() != 0 {
		return nil, status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	return &testpb.SimpleResponse{
		Payload:  &testpb.Payload{Body: payload(req.GetResponseSize(), req.GetPayload())},
		Username: s.b.name,
	}, nil
}

func (s *testService) StreamingOutputCall(req *testpb.StreamingOutputCallRequest, stream grpc.ServerStreamingServer[testpb.StreamingOutputCallResponse]) error {
	s.meta(stream.Context())
	for _, p := range req.GetResponseParameters() {
		if p.GetIntervalUs() > 0 {
			time.Sleep(time.Duration(p.GetIntervalUs()) * time.Microsecond)
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{
			Payload: &testpb.Payload{Body: payload(p.GetSize(), req.GetPayload())},
		}); err != nil {
			return err
		}
	}
	if st := req.GetResponseStatus(); st != nil && st.GetCode() != 0 {
		return status.Error(codes.Code(st.GetCode()), st.GetMessage())
	}
	return nil
}

// FullDuplexCall answers each request as it arrives: one message per
// response parameter, or, with none, the request's payload echoed.
func (s *testService) FullDuplexCall(stream grpc.BidiStreamingServer[testpb.StreamingOutputCallRequest, testpb.StreamingOutputCallResponse]) error {
	s.meta(stream.Context())
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if st := req.GetResponseStatus(); st != nil && st.GetCode() != 0 {
			return status.Error(codes.Code(st.GetCode()), st.GetMessage())
		}
		params := req.GetResponseParameters()
		if len(params) == 0 {
			params = []*testpb.ResponseParameters{{Size: -1}}
		}
		for _, p := range params {
			if err := stream.Send(&testpb.StreamingOutputCallResponse{
				Payload: &testpb.Payload{Body: payload(p.GetSize(), req.GetPayload())},
			}); err != nil {
				return err
			}
		}
	}
}

// payload: size < 0 echoes the request payload, otherwise size bytes of Pattern.
func payload(size int32, in *testpb.Payload) []byte {
	if size < 0 {
		return in.GetBody()
	}
	out := make([]byte, size)
	for i := range out {
		out[i] = Pattern[i%len(Pattern)]
	}
	return out
}
