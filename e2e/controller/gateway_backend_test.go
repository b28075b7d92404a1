package controllere2e

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"

	"archway.dev/e2e/internal/backend"
)

// ordersBackend is the orders Service of examples/gateway.yaml: a real HTTP
// server on loopback that counts the requests reaching it per path and per
// consumer, and keeps the traceparent each one carried, so a test can tell
// a cache hit (the count stays) from a miss and see what tracing reached it.
type ordersBackend struct {
	be *backend.Backend // for backend.ServiceManifest; no process of its own

	mu     sync.Mutex
	served map[string]int // "path consumer" → requests
	traces map[string]string
}

// orderAnswer is the body the orders backend sends.
type orderAnswer struct {
	Path        string `json:"path"`
	Consumer    string `json:"consumer"` // X-Client-Id, the token's sub
	Traceparent string `json:"traceparent"`
	Served      int    `json:"served"` // this path for this consumer, this one included
}

func startOrdersBackend(t *testing.T) *ordersBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &ordersBackend{served: map[string]int{}, traces: map[string]string{}}
	srv := &http.Server{Handler: http.HandlerFunc(o.serve)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	o.be = &backend.Backend{Name: "orders", IP: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port}
	return o
}

func (o *ordersBackend) serve(w http.ResponseWriter, r *http.Request) {
	a := orderAnswer{Path: r.URL.Path, Consumer: r.Header.Get("X-Client-Id"), Traceparent: r.Header.Get("Traceparent")}
	o.mu.Lock()
	key := a.Path + " " + a.Consumer
	o.served[key]++
	a.Served = o.served[key]
	o.traces[key] = a.Traceparent
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

// count is how many requests for path from consumer reached the backend.
func (o *ordersBackend) count(path, consumer string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.served[path+" "+consumer]
}

// lastTrace is the traceparent of the last such request ("" when none).
func (o *ordersBackend) lastTrace(path, consumer string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.traces[path+" "+consumer]
}
