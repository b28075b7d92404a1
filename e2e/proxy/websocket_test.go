package proxye2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/net/http2"
)

// TestWebSocketToH2CCluster: a WebSocket upgrade routed to an H2C cluster
// is tunnelled over HTTP/1.1 to the same endpoints (test-backend serves
// h2c and HTTP/1.1 on one port, as Go, nghttpx and Envoy do).
func TestWebSocketToH2CCluster(t *testing.T) {
	b := startBackend(t, "ws-h2c")
	p := startProxy(t, catchAll(clusterOf("ws-h2c", "H2C", b)), ProxyOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+p.Addr()+"/ws", &websocket.DialOptions{HTTPClient: h1Client()})
	if err != nil {
		t.Fatalf("dial: %v (response %v)", err, resp)
	}
	defer c.CloseNow()
	for _, msg := range []string{"name", "hello"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		want := msg
		if msg == "name" {
			want = "ws-h2c"
		}
		if _, m, err := c.Read(ctx); err != nil || string(m) != want {
			t.Fatalf("%s: got %q %v, want %q", msg, m, err, want)
		}
	}
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Errorf("close: %v", err)
	}
	if s := b.Stats(t); s.WebSockets != 1 {
		t.Errorf("backend saw %d websockets, want 1", s.WebSockets)
	}
}

// TestWebSocketOverHTTP2: RFC 8441. The proxy advertises
// SETTINGS_ENABLE_CONNECT_PROTOCOL; an h2c stream opened with
// `:method CONNECT` and `:protocol websocket` gets 200 and then carries
// WebSocket frames to an HTTP/1.1 WebSocket backend (over an HTTP and an
// H2C cluster) and back. The backend's close ends the stream.
func TestWebSocketOverHTTP2(t *testing.T) {
	for _, protocol := range []string{"HTTP", "H2C"} {
		t.Run(protocol, func(t *testing.T) {
			b := startBackend(t, "ws8441")
			p := startProxy(t, catchAll(clusterOf("ws8441", protocol, b)), ProxyOptions{})
			c := dialH2Raw(t, p.Addr())
			if v := c.settings[http2.SettingEnableConnectProtocol]; v != 1 {
				t.Fatalf("SETTINGS_ENABLE_CONNECT_PROTOCOL = %d, want 1", v)
			}
			c.headers(1, false, ":method", "CONNECT", ":protocol", "websocket", ":scheme", "http",
				":path", "/ws", ":authority", "ws.test", "sec-websocket-version", "13")
			o := c.read(1, func(o *h2Outcome) bool { return o.Status != "" })
			if o.Status != "200" || o.Ended || o.Reset {
				t.Fatalf("extended CONNECT: %+v, want an open 200", o)
			}
			ws := &wsOverH2{c: c, stream: 1}
			for i, msg := range []string{"name", "x", string(bytes.Repeat([]byte("m"), 125)),
				string(bytes.Repeat([]byte("n"), 126)), string(bytes.Repeat([]byte("o"), 10000))} {
				ws.send(1, msg) // text
				want := msg
				if i == 0 {
					want = "ws8441"
				}
				if op, got := ws.next(); op != 1 || got != want {
					t.Fatalf("echo of %d bytes: opcode %d, %d bytes (%.20q)", len(msg), op, len(got), got)
				}
			}
			ws.send(8, "\x03\xe8") // close, 1000
			if op, _ := ws.next(); op != 8 {
				t.Fatalf("got opcode %d, want the backend's close", op)
			}
			end := ws.end
			if end == nil {
				end = c.read(1, nil)
			}
			if !end.Ended {
				t.Errorf("after the close: %+v, want END_STREAM", end)
			}
			if s := b.Stats(t); s.WebSockets != 1 {
				t.Errorf("backend saw %d websockets, want 1", s.WebSockets)
			}
		})
	}
}

// wsOverH2 speaks RFC 6455 frames over an HTTP/2 stream.
type wsOverH2 struct {
	c      *h2Raw
	stream uint32
	buf    []byte
	end    *h2Outcome // the read that saw the stream end, if one did
}

// send writes one masked frame (clients mask, RFC 6455 §5.3).
func (w *wsOverH2) send(opcode byte, payload string) {
	frame := []byte{0x80 | opcode}
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	case n < 65536:
		frame = append(frame, 0x80|126, byte(n>>8), byte(n))
	default:
		frame = append(frame, 0x80|127)
		frame = binary.BigEndian.AppendUint64(frame, uint64(n))
	}
	mask := []byte{1, 2, 3, 4}
	frame = append(frame, mask...)
	for i := 0; i < len(payload); i++ {
		frame = append(frame, payload[i]^mask[i%4])
	}
	for len(frame) > 0 { // DATA frames of at most 16 KiB
		n := min(len(frame), 16384)
		w.c.data(w.stream, false, string(frame[:n]))
		frame = frame[n:]
	}
}

// next returns the next unmasked frame from the backend.
func (w *wsOverH2) next() (byte, string) {
	w.c.t.Helper()
	for {
		if len(w.buf) >= 2 {
			n, hdr := int(w.buf[1]&0x7f), 2
			if n == 126 && len(w.buf) >= 4 {
				n, hdr = int(binary.BigEndian.Uint16(w.buf[2:4])), 4
			} else if n == 127 && len(w.buf) >= 10 {
				n, hdr = int(binary.BigEndian.Uint64(w.buf[2:10])), 10
			}
			if n < 126 || hdr > 2 {
				if len(w.buf) >= hdr+n {
					op, payload := w.buf[0]&0x0f, string(w.buf[hdr:hdr+n])
					w.buf = w.buf[hdr+n:]
					return op, payload
				}
			}
		}
		if w.end != nil {
			w.c.t.Fatalf("stream ended inside a WebSocket frame: %+v", w.end)
		}
		o := w.c.read(w.stream, func(o *h2Outcome) bool { return len(o.Body) > 0 })
		w.buf = append(w.buf, o.Body...)
		if o.Ended || o.Reset {
			w.end = o
		}
	}
}
