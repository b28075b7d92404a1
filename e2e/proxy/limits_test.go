package proxye2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The limits of docs/proxy.md "Limits", through real clients. Every timeout
// in these snapshots is short (0.5 s) and every wait is bounded.

const bodyLimit = 32 << 10 // limits.maxRequestBodyBytes in TestMaxRequestBodyBytes

// waitFor polls cond every 10 ms for up to 3 s.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

type result struct {
	resp *http.Response
	err  error
}

// streamed starts a POST whose body is fed through the returned pipe (no
// Content-Length: chunked on HTTP/1.1, DATA frames on h2c).
func streamed(c *http.Client, url string, hdr http.Header) (*io.PipeWriter, <-chan result) {
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", url, pr)
	req.ContentLength = -1
	for k, v := range hdr {
		req.Header[k] = v
	}
	done := make(chan result, 1)
	go func() {
		resp, err := c.Do(req)
		done <- result{resp, err}
	}()
	return pw, done
}

// write feeds n bytes into pw without blocking the test (the proxy may stop
// reading at any point).
func write(pw *io.PipeWriter, n int) {
	go pw.Write(bytes.Repeat([]byte("b"), n))
}

func await(t *testing.T, done <-chan result) *http.Response {
	t.Helper()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("request: %v", r.err)
		}
		return r.resp
	case <-time.After(5 * time.Second):
		t.Fatal("no response within 5 s")
	}
	return nil
}

// TestMaxRequestBodyBytes: a declared length over limits.maxRequestBodyBytes
// is answered 413 before anything reaches the backend; a streamed body that
// passes it gets 413 and the backend request is cancelled; once the response
// has started, passing it resets the response instead.
func TestMaxRequestBodyBytes(t *testing.T) {
	b := startBackend(t, "body")
	snap := catchAll(clusterOf("body", "HTTP", b))
	snap.Limits = &Limits{MaxRequestBodyBytes: bodyLimit}
	p := startProxy(t, snap, ProxyOptions{})

	h1 := h1Client()
	// Go sends the head alone and waits for an interim or final answer: the
	// proxy can refuse without leaving unread body bytes behind.
	h1.Transport.(*http.Transport).ExpectContinueTimeout = 5 * time.Second
	for _, cl := range []struct {
		name string
		c    *http.Client
	}{{"http1", h1}, {"h2c", h2cClient()}} {
		t.Run(cl.name+"/content-length", func(t *testing.T) {
			b.Reset(t)
			// At the limit: forwarded.
			e := getEcho(t, cl.c, "POST", p.URL("/at-limit"), "", nil, bytes.NewReader(make([]byte, bodyLimit)))
			if e.BodyBytes != bodyLimit {
				t.Fatalf("backend got %d bytes, want %d", e.BodyBytes, bodyLimit)
			}
			b.Reset(t)
			resp, body := do(t, cl.c, "POST", p.URL("/over-limit"), "",
				http.Header{"Expect": {"100-continue"}}, bytes.NewReader(make([]byte, bodyLimit+1)))
			errorBody(t, resp, body, 413)
			time.Sleep(50 * time.Millisecond) // a leaked request would arrive by now
			if s := b.Stats(t); s.Requests != 0 {
				t.Errorf("backend received %d requests for a refused body", s.Requests)
			}
		})
		t.Run(cl.name+"/streamed", func(t *testing.T) {
			b.Reset(t)
			pw, done := streamed(cl.c, p.URL("/streamed"), nil)
			defer pw.Close()
			write(pw, bodyLimit/2)
			// The backend request has begun before the body passes the limit.
			if !waitFor(func() bool { return b.Stats(t).Requests == 1 }) {
				t.Fatal("the backend never saw the streamed request")
			}
			write(pw, bodyLimit)
			resp := await(t, done)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			errorBody(t, resp, body, 413)
			time.Sleep(100 * time.Millisecond)
			if s := b.Stats(t); s.Requests != 1 || s.Completed != 0 {
				t.Errorf("backend: %d requests, %d completed; want 1 begun and cancelled", s.Requests, s.Completed)
			}
		})
		t.Run(cl.name+"/response-started", func(t *testing.T) {
			b.Reset(t)
			pw, done := streamed(cl.c, p.URL("/echo"), http.Header{"X-Echo-Mode": {"echo"}})
			defer pw.Close()
			write(pw, bodyLimit/2)
			resp := await(t, done)
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d, want the backend's 200", resp.StatusCode)
			}
			// The backend buffers a little of its echo, so only the first
			// byte is sure to arrive before the rest of the body is sent.
			if _, err := io.ReadFull(resp.Body, make([]byte, 1)); err != nil {
				t.Fatalf("reading the echo: %v", err)
			}
			write(pw, bodyLimit)
			readDone := make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, resp.Body)
				readDone <- err
			}()
			select {
			case err := <-readDone:
				if err == nil {
					t.Error("the response ended cleanly after the body passed the limit; want a reset")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the response neither ended nor was reset within 5 s")
			}
			time.Sleep(100 * time.Millisecond)
			if s := b.Stats(t); s.Completed != 0 {
				t.Errorf("backend completed %d requests; want the request cancelled", s.Completed)
			}
		})
	}
}

// TestWebSocketIdleTimeout: a tunnel closes after the route's timeouts.idle
// with no byte either way, and stays open as long as bytes flow.
func TestWebSocketIdleTimeout(t *testing.T) {
	const idle = 500 * time.Millisecond
	b := startBackend(t, "ws-idle")
	snap := catchAll(clusterOf("ws-idle", "HTTP", b))
	snap.VirtualHosts[0].Routes[0].Timeouts = &Timeouts{Idle: idle.String()}
	p := startProxy(t, snap, ProxyOptions{})

	dial := func(t *testing.T) *websocket.Conn {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{HTTPClient: h1Client()})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		t.Cleanup(func() { c.CloseNow() })
		return c
	}
	echo := func(c *websocket.Conn, msg string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			return err
		}
		_, m, err := c.Read(ctx)
		if err == nil && string(m) != msg {
			t.Errorf("echo %q, want %q", m, msg)
		}
		return err
	}

	t.Run("idle", func(t *testing.T) {
		c := dial(t)
		if err := echo(c, "hello"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _, err := c.Read(ctx)
		elapsed := time.Since(start)
		if err == nil || ctx.Err() != nil {
			t.Fatalf("tunnel still open after %v idle (read: %v)", elapsed, err)
		}
		if elapsed < idle*8/10 || elapsed > idle+2*time.Second {
			t.Errorf("closed after %v idle, want about %v", elapsed, idle)
		}
	})
	t.Run("busy", func(t *testing.T) {
		c := dial(t)
		// 3 idle periods' worth of traffic, a message every 150 ms.
		for end := time.Now().Add(3 * idle); time.Now().Before(end); time.Sleep(150 * time.Millisecond) {
			if err := echo(c, "tick"); err != nil {
				t.Fatalf("a busy tunnel was closed: %v", err)
			}
		}
		if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

// TestHeaderTimeout: limits.headerTimeout bounds a request head. HTTP/2: a
// HEADERS frame without END_HEADERS and no CONTINUATION gets RST_STREAM
// CANCEL. HTTP/1.1: a partial head, stalled or trickled a byte at a time, is
// answered 408 and the connection closed; an idle connection (no byte yet)
// is bounded by the idle timeout instead.
func TestHeaderTimeout(t *testing.T) {
	const headerTimeout = 500 * time.Millisecond
	b := startBackend(t, "slow-head")
	snap := catchAll(clusterOf("slow-head", "HTTP", b))
	snap.Limits = &Limits{HeaderTimeout: headerTimeout.String(), IdleTimeout: "10s"}
	p := startProxy(t, snap, ProxyOptions{})
	inWindow := func(t *testing.T, elapsed time.Duration) {
		t.Helper()
		if elapsed < headerTimeout*8/10 || elapsed > headerTimeout+2*time.Second {
			t.Errorf("after %v, want about %v", elapsed, headerTimeout)
		}
	}

	t.Run("h2c/headers-without-end-headers", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, http2.ClientPreface)
		fr := http2.NewFramer(conn, conn)
		fr.WriteSettings()
		var block bytes.Buffer
		enc := hpack.NewEncoder(&block)
		for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "slow.test"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		start := time.Now()
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(),
			EndStream: true, EndHeaders: false}); err != nil {
			t.Fatal(err)
		}
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatalf("no RST_STREAM after %v: %v", time.Since(start), err)
			}
			switch f := f.(type) {
			case *http2.RSTStreamFrame:
				if f.StreamID != 1 || f.ErrCode != http2.ErrCodeCancel {
					t.Fatalf("RST_STREAM stream %d %v, want stream 1 CANCEL", f.StreamID, f.ErrCode)
				}
				inWindow(t, time.Since(start))
				return
			case *http2.GoAwayFrame:
				t.Fatalf("GOAWAY %v after %v, want RST_STREAM CANCEL", f.ErrCode, time.Since(start))
			case *http2.HeadersFrame:
				t.Fatalf("a response to an incomplete header block")
			}
		}
	})

	// h1 408 checks: the raw answer to a head that never completes.
	expect408 := func(t *testing.T, conn net.Conn, start time.Time) {
		t.Helper()
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("no answer after %v: %v", time.Since(start), err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 408 {
			t.Fatalf("status %d, want 408", resp.StatusCode)
		}
		inWindow(t, time.Since(start))
		if _, err := r.ReadByte(); err == nil {
			t.Error("connection still open after 408")
		}
	}
	dial := func(t *testing.T) net.Conn {
		conn, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		return conn
	}
	const partial = "GET /slow HTTP/1.1\r\nHost: slow.test\r\nX-Slow: "

	t.Run("http1/stalled", func(t *testing.T) {
		conn := dial(t)
		start := time.Now()
		io.WriteString(conn, partial)
		expect408(t, conn, start)
	})
	t.Run("http1/trickled", func(t *testing.T) {
		// A byte every 100 ms: each read is progress, but the head as a
		// whole must still complete within the header timeout (slow loris).
		conn := dial(t)
		start := time.Now()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for i := 0; i < len(partial)+40; i++ {
				c := "a"
				if i < len(partial) {
					c = partial[i : i+1]
				}
				if _, err := io.WriteString(conn, c); err != nil {
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
		expect408(t, conn, start)
	})
	t.Run("http1/idle-before-first-byte", func(t *testing.T) {
		conn := dial(t)
		time.Sleep(2 * headerTimeout)
		io.WriteString(conn, "GET /after-idle HTTP/1.1\r\nHost: slow.test\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("a connection idle for %v (idle timeout 10s) was closed: %v", 2*headerTimeout, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d, want 200", resp.StatusCode)
		}
	})
}
