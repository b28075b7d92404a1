// Package jaeger runs a real Jaeger v2 (the OpenTelemetry-collector-based
// `jaeger` binary, built by e2e/tools/ensure-jaeger.sh) on loopback for the
// tracing e2e tests: an OTLP/HTTP receiver in, memory storage, the query
// API out, every port free and chosen here, from a config file of our own.
package jaeger

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"archway.dev/e2e/internal/procs"
)

// BinEnv names the variable holding the folder with the jaeger binary
// (the last line of e2e/tools/ensure-jaeger.sh; `make test-e2e` sets it).
const BinEnv = "ARCHWAY_JAEGER_BIN"

// Binary is the jaeger binary: the test skips when BinEnv is unset and
// fails when it is set but the binary is missing.
func Binary(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(BinEnv)
	if dir == "" {
		t.Skipf("%s is unset: build Jaeger with e2e/tools/ensure-jaeger.sh and set it to the folder it prints (make test-e2e does)", BinEnv)
	}
	bin := filepath.Join(dir, "jaeger")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s but jaeger is not there: %v", BinEnv, dir, err)
	}
	return bin
}

// config is Jaeger's collector configuration: only what the tests use.
// The collector's own telemetry is off (its metrics would bind :8888).
const config = `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:%[4]d
  jaeger_storage:
    backends:
      memory_store:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memory_store
    http:
      endpoint: 127.0.0.1:%[2]d
    grpc:
      endpoint: 127.0.0.1:%[3]d
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%[1]d
exporters:
  jaeger_storage_exporter:
    trace_storage: memory_store
`

// Server is one running Jaeger.
type Server struct {
	OTLPURL  string // http://127.0.0.1:P/v1/traces
	QueryURL string // http://127.0.0.1:P
	Log      string
	client   *http.Client
}

// Start runs Jaeger until the test ends and waits for its query API.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	otlp, query, grpc, health := procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t),
		procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t)
	cfg := filepath.Join(dir, "jaeger.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(config, otlp, query, grpc, health)), 0o600); err != nil {
		t.Fatal(err)
	}
	p := procs.Start(t, "jaeger", dir, bin, "--config", cfg)
	s := &Server{
		OTLPURL:  fmt.Sprintf("http://127.0.0.1:%d/v1/traces", otlp),
		QueryURL: fmt.Sprintf("http://127.0.0.1:%d", query),
		Log:      p.Log,
		client:   &http.Client{Timeout: 10 * time.Second},
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if p.Exited() {
			t.Fatalf("jaeger exited before it was ready (log: %s)", p.Log)
		}
		resp, err := s.client.Get(s.QueryURL + "/api/services")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("jaeger's query API not ready within 60s (last: %v; log: %s)", err, p.Log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Span is a span as Jaeger's query API (/api/traces/<id>) returns it.
type Span struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	Tags []struct {
		Key   string `json:"key"`
		Type  string `json:"type"`
		Value any    `json:"value"`
	} `json:"tags"`
	ProcessID string `json:"processID"`
}

// Tag is the span's tag `key` as a string ("" when absent); numbers as
// Jaeger writes them in JSON.
func (s *Span) Tag(key string) string {
	for _, tag := range s.Tags {
		if tag.Key == key {
			return fmt.Sprint(tag.Value)
		}
	}
	return ""
}

// HasTag says whether the span has the tag at all.
func (s *Span) HasTag(key string) bool {
	for _, tag := range s.Tags {
		if tag.Key == key {
			return true
		}
	}
	return false
}

// Parent is the CHILD_OF reference's span id, "" for a root span.
func (s *Span) Parent() string {
	for _, r := range s.References {
		if r.RefType == "CHILD_OF" {
			return r.SpanID
		}
	}
	return ""
}

// Trace is one trace: its spans and their processes' service names.
type Trace struct {
	Spans     []Span
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
		Tags        []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"tags"`
	}
}

// Get asks for a trace once: nil when Jaeger has none with that id.
func (s *Server) Get(t testing.TB, traceID string) *Trace {
	t.Helper()
	resp, err := s.client.Get(s.QueryURL + "/api/traces/" + traceID)
	if err != nil {
		t.Fatalf("jaeger query: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var body struct {
		Data []struct {
			Spans     []Span `json:"spans"`
			Processes map[string]struct {
				ServiceName string `json:"serviceName"`
				Tags        []struct {
					Key   string `json:"key"`
					Value any    `json:"value"`
				} `json:"tags"`
			} `json:"processes"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("jaeger query %s: %s: %v", traceID, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK || len(body.Data) == 0 {
		return nil
	}
	return &Trace{Spans: body.Data[0].Spans, Processes: body.Data[0].Processes}
}

// WaitSpans polls until the trace has at least n spans (the exporter
// sends in batches) and returns it; fails after timeout.
func (s *Server) WaitSpans(t testing.TB, traceID string, n int, timeout time.Duration) *Trace {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		tr := s.Get(t, traceID)
		if tr != nil && len(tr.Spans) >= n {
			return tr
		}
		if time.Now().After(deadline) {
			got := 0
			if tr != nil {
				got = len(tr.Spans)
			}
			t.Fatalf("trace %s: %d spans in Jaeger after %v, want %d", traceID, got, timeout, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
