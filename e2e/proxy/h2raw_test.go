package proxye2e

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Raw is an h2c client built on the framer, for requests no real client
// would send (a content-length that lies, Host against :authority) and for
// RFC 8441 extended CONNECT.
type h2Raw struct {
	t        *testing.T
	conn     net.Conn
	fr       *http2.Framer
	hbuf     bytes.Buffer
	enc      *hpack.Encoder
	settings map[http2.SettingID]uint32 // the proxy's first SETTINGS
}

func dialH2Raw(t *testing.T, addr string) *h2Raw {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	c := &h2Raw{t: t, conn: conn, fr: http2.NewFramer(conn, conn), settings: map[http2.SettingID]uint32{}}
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.enc = hpack.NewEncoder(&c.hbuf)
	if _, err := io.WriteString(conn, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := c.fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading the proxy's SETTINGS: %v", err)
		}
		if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
			s.ForeachSetting(func(s http2.Setting) error { c.settings[s.ID] = s.Val; return nil })
			if err := c.fr.WriteSettingsAck(); err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
}

// headers sends one header block; fields are name, value pairs.
func (c *h2Raw) headers(stream uint32, endStream bool, fields ...string) {
	c.t.Helper()
	c.hbuf.Reset()
	for i := 0; i+1 < len(fields); i += 2 {
		c.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: stream, BlockFragment: c.hbuf.Bytes(),
		EndStream: endStream, EndHeaders: true}); err != nil {
		c.t.Fatal(err)
	}
}

func (c *h2Raw) data(stream uint32, endStream bool, payload string) {
	c.t.Helper()
	if err := c.fr.WriteData(stream, endStream, []byte(payload)); err != nil {
		c.t.Fatal(err)
	}
}

// h2Outcome is how the proxy ended one stream.
type h2Outcome struct {
	Status string        // :status of the response head; "" when none came
	Body   []byte        // DATA received
	Reset  bool          // RST_STREAM (or GOAWAY) ended it
	Code   http2.ErrCode // the reset's error code
	Ended  bool          // END_STREAM received
}

// read reads frames until the stream ends (END_STREAM or reset), or until
// stop returns true for the outcome so far. SETTINGS and PING are answered.
func (c *h2Raw) read(stream uint32, stop func(*h2Outcome) bool) *h2Outcome {
	c.t.Helper()
	o := &h2Outcome{}
	for !o.Ended && !o.Reset && (stop == nil || !stop(o)) {
		f, err := c.fr.ReadFrame()
		if err != nil {
			c.t.Fatalf("stream %d: %v (so far %+v)", stream, err, o)
		}
		switch f := f.(type) {
		case *http2.MetaHeadersFrame:
			if f.StreamID == stream {
				if s := f.PseudoValue("status"); s != "" && o.Status == "" {
					o.Status = s
				}
				o.Ended = f.StreamEnded()
			}
		case *http2.DataFrame:
			if f.StreamID == stream {
				o.Body = append(o.Body, f.Data()...)
				o.Ended = f.StreamEnded()
				if len(f.Data()) > 0 {
					c.fr.WriteWindowUpdate(0, uint32(len(f.Data())))
					c.fr.WriteWindowUpdate(stream, uint32(len(f.Data())))
				}
			}
		case *http2.RSTStreamFrame:
			if f.StreamID == stream {
				o.Reset, o.Code = true, f.ErrCode
			}
		case *http2.GoAwayFrame:
			o.Reset, o.Code = true, f.ErrCode
		case *http2.SettingsFrame:
			if !f.IsAck() {
				c.fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				c.fr.WritePing(true, f.Data)
			}
		}
	}
	return o
}
