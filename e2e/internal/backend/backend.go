// Package backend builds and starts echo backends (e2e/cmd/echo-backend)
// for end-to-end tests, and renders the Service + EndpointSlice that make a
// set of them look like a Kubernetes Service to a controller (there is no
// kubelet: the test plays its part).
package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/procs"
)

// Binary builds echo-backend once per test binary and returns its path.
func Binary(t testing.TB) string {
	return procs.GoBinary(t, "archway.dev/e2e/cmd/echo-backend")
}

// Backend is one running echo-backend process.
type Backend struct {
	Name string
	IP   string
	Port int
	cmd  *exec.Cmd
}

// Addr is "IP:PORT".
func (b *Backend) Addr() string { return net.JoinHostPort(b.IP, strconv.Itoa(b.Port)) }

// Stop kills the process (idempotent).
func (b *Backend) Stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Kill()
		_ = b.cmd.Wait()
		b.cmd = nil
	}
}

// Start runs an echo backend named `name` on ip:0 (ip must be loopback,
// e.g. 127.0.0.1 or 127.0.0.2 so that several backends may share a port
// number), and stops it when t ends.
func Start(t testing.TB, name, ip string) *Backend {
	t.Helper()
	return StartOn(t, name, ip, 0)
}

// StartOn is Start with a fixed port (0: any).
func StartOn(t testing.TB, name, ip string, port int) *Backend {
	t.Helper()
	ready := filepath.Join(t.TempDir(), name+".addr")
	cmd := exec.Command(Binary(t), "-name", name, "-listen", net.JoinHostPort(ip, strconv.Itoa(port)),
		"-ready-file", ready)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start echo-backend %s: %v", name, err)
	}
	b := &Backend{Name: name, cmd: cmd}
	t.Cleanup(b.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(ready); err == nil {
			host, p, err := net.SplitHostPort(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatalf("echo-backend %s ready file: %v", name, err)
			}
			b.IP = host
			b.Port, _ = strconv.Atoi(p)
			return b
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Stop()
	t.Fatalf("echo-backend %s did not start within 10s", name)
	return nil
}

// Answer is what an echo backend replies.
type Answer struct {
	Name    string              `json:"name"`
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
}

// ParseAnswer decodes an echo backend's body.
func ParseAnswer(body []byte) (Answer, error) {
	var a Answer
	err := json.Unmarshal(body, &a)
	return a, err
}

// RegisteredIP is the address EndpointSlices carry for every backend: the
// API server refuses loopback endpoint addresses, so slices name this
// documentation address (RFC 5737 TEST-NET-2) and the controller runs with
// ControllerFlag, which maps it back to 127.0.0.1 where the backends listen.
const RegisteredIP = "198.51.100.1"

// ControllerFlag is the archway-controller flag that pairs with RegisteredIP.
var ControllerFlag = []string{"--dev-endpoint-address", RegisteredIP + "=127.0.0.1"}

// ServiceManifest renders a Service named `name` with one port `port`
// (named "http", targetPort "http") and one EndpointSlice per backend
// ("NAME-BACKEND", labelled kubernetes.io/service-name=NAME) whose port is
// that backend's own, as the EndpointSlice controller would write for pods.
// Scaling is applying the manifest again with other backends and deleting
// the slices that are gone (SliceNames tells which).
func ServiceManifest(name string, port int, backends ...*Backend) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: v1
kind: Service
metadata: {name: %s}
spec:
  ports: [{name: http, port: %d, targetPort: http}]
`, name, port)
	for _, be := range backends {
		fmt.Fprintf(&b, `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: %s-%s
  labels: {kubernetes.io/service-name: %s}
addressType: IPv4
ports: [{name: http, port: %d, protocol: TCP}]
endpoints:
- addresses: [%q]
  conditions: {ready: true}
`, name, be.Name, name, be.Port, RegisteredIP)
	}
	return b.String()
}

// SliceName is the EndpointSlice ServiceManifest writes for one backend.
func SliceName(service string, b *Backend) string { return service + "-" + b.Name }

// Get sends one GET through the proxy at addr (host:port) with the Host
// header `host` and returns status and body; a short timeout keeps loops bounded.
func Get(ctx context.Context, client *http.Client, addr, host, path string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Host = host
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}
