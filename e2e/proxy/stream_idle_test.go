package proxye2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStreamIdleTimeout: a rule's timeouts.idle bounds every stream of a
// request, not only a WebSocket tunnel (docs/resilience.md "Timeouts"),
// with the request timeout off: data flowing more often than `idle` keeps
// a long exchange alive; a backend that sends nothing gets 504 at about
// `idle`; a client that stops sending its body gets 408; a response
// stream that stalls mid-body is cut.
func TestStreamIdleTimeout(t *testing.T) {
	b := startBackend(t, "idle")
	r := to("idle", Match{Path: prefix("/idle")}, "idle")
	r.Timeouts = &Timeouts{Request: "0s", Idle: "400ms"}
	p := startProxy(t, Snapshot{
		VirtualHosts: []VirtualHost{{Name: "i", Domains: []string{"idle.test"}, Routes: []Route{r}}},
		Clusters:     []Cluster{clusterOf("idle", "HTTP", b)},
	}, ProxyOptions{})

	// body streams chunks with the given pauses before each, then ends.
	body := func(pauses ...time.Duration) io.Reader {
		pr, pw := io.Pipe()
		go func() {
			for _, d := range pauses {
				time.Sleep(d)
				if _, err := pw.Write([]byte(strings.Repeat("x", 100))); err != nil {
					return
				}
			}
			pw.Close()
		}()
		return pr
	}
	send := func(c *http.Client, hdr http.Header, rd io.Reader) (*http.Response, []byte, error, time.Duration) {
		req, _ := http.NewRequest("POST", p.URL("/idle"), rd)
		req.Host = "idle.test"
		for k, v := range hdr {
			req.Header[k] = v
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return nil, nil, err, time.Since(start)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, data, err, time.Since(start)
	}
	echo := http.Header{"X-Echo-Mode": {"echo"}}
	every := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}

	t.Run("flowing", func(t *testing.T) {
		// 12 chunks 150 ms apart: 1.8 s in all, never 400 ms without data.
		resp, data, err, took := send(h1Client(), echo, body(every(12, 150*time.Millisecond)...))
		if err != nil || resp.StatusCode != 200 || len(data) != 1200 {
			t.Fatalf("streamed exchange: %v, status %v, %d bytes back after %v; want 200 and 1200 bytes", err, codeOf(resp), len(data), took)
		}
	})
	t.Run("silent backend", func(t *testing.T) {
		resp, data, err, took := send(h1Client(), http.Header{"X-Echo-Sleep": {"3s"}}, strings.NewReader("x"))
		if err != nil || resp.StatusCode != 504 {
			t.Fatalf("got %v, status %v, body %q; want 504", err, codeOf(resp), trunc(data))
		}
		if took < 350*time.Millisecond || took > 2500*time.Millisecond {
			t.Errorf("504 after %v, want about 400 ms", took)
		}
	})
	t.Run("stalled client body", func(t *testing.T) {
		// Normal mode: the backend reads the whole body before answering.
		resp, data, err, _ := send(h1Client(), nil, body(0, 2*time.Second, 0))
		if err != nil || resp.StatusCode != 408 {
			t.Fatalf("got %v, status %v, body %q; want 408", err, codeOf(resp), trunc(data))
		}
	})
	t.Run("stalled response", func(t *testing.T) {
		// Echo mode: the head and the first chunk come back at once, then
		// both directions are quiet for 2 s: the response is cut.
		resp, data, err, took := send(h1Client(), echo, body(0, 2*time.Second, 0))
		if err == nil && resp != nil && resp.StatusCode == 200 && len(data) == 300 {
			t.Fatalf("the stalled response completed (%d bytes after %v); want it cut", len(data), took)
		}
		if took > 1900*time.Millisecond {
			t.Errorf("cut after %v, want about 400 ms after the first chunk", took)
		}
	})
}

func codeOf(resp *http.Response) any {
	if resp == nil {
		return "none"
	}
	return resp.StatusCode
}
