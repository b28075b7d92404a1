// Package controllere2e tests archway-controller end to end: a real
// kube-apiserver (e2e/cluster), real kubectl, the real proxy and controller
// binaries from $ARCHWAY_BUILD_DIR, and echo backends (e2e/cmd/echo-backend)
// registered through Service + EndpointSlice objects the test writes, since
// no kubelet runs. Each test works in its own namespace, and its controller
// watches only that namespace, so tests never see each other's routes.
package controllere2e

import (
	"archway.dev/e2e/internal/procs"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
)

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

func repoRoot() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}

func buildDir() string {
	if d := os.Getenv("ARCHWAY_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "build")
}

var setupOnce sync.Once

// setup applies the CRD and our IngressClass once per control plane.
func setup(t *testing.T) *cluster.Cluster {
	t.Helper()
	c := cluster.Shared(t)
	var err error
	setupOnce.Do(func() { err = installBase(c) })
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	return c
}

// installBase applies the APIRoute and ReferenceGrant CRDs and the archway
// IngressClass to c.
func installBase(c *cluster.Cluster) error {
	for _, crd := range []string{"apiroutes.archway.dev", "referencegrants.archway.dev"} {
		if _, err := c.TryKubectl("apply", "-f", filepath.Join(repoRoot(), "crds", crd+".yaml")); err != nil {
			return err
		}
		// Polled rather than `kubectl wait --for=condition=Established`, which
		// fails outright ("accessor error: <nil>") when it reads the CRD before
		// the API server has given it any condition.
		established := ""
		for deadline := time.Now().Add(60 * time.Second); established != "True"; {
			if time.Now().After(deadline) {
				return fmt.Errorf("crd/%s not Established within 60s (%q)", crd, established)
			}
			time.Sleep(50 * time.Millisecond)
			out, err := c.TryKubectl("get", "crd", crd, "-o",
				`jsonpath={.status.conditions[?(@.type=="Established")].status}`)
			if err != nil {
				return err
			}
			established = strings.TrimSpace(out)
		}
	}
	_, err := c.Run(`apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: archway}
spec: {controller: archway.dev/ingress-controller}
`, "kubectl", "apply", "-f", "-")
	return err
}

// proc is a child process that dies with the test binary (PDEATHSIG).
// Stack is one proxy + controller pair, like one pod of the chart.
type Stack struct {
	NS         string
	HTTPAddr   string
	HTTPSPort  int
	AdminPort  int
	HealthPort int // the controller's /healthz and /readyz
	Socket     string
	Proxy      *procs.Proc
	Controller *procs.Proc
	dir        string
	c          *cluster.Cluster
}

type stackOpts struct {
	identity      string
	leaseDuration string
	debounce      string // default 20ms: tests wait less
	extraArgs     []string
}

func startStack(t *testing.T, c *cluster.Cluster, ns string, o stackOpts) *Stack {
	t.Helper()
	dir, err := os.MkdirTemp("", "archway-ctl-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Stack{NS: ns, dir: dir, c: c, Socket: filepath.Join(dir, "admin.sock")}
	httpPort, httpsPort := procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t)
	s.HTTPAddr = "127.0.0.1:" + strconv.Itoa(httpPort)
	s.HTTPSPort = httpsPort
	s.AdminPort = procs.FreeLoopbackPort(t)
	s.HealthPort = procs.FreeLoopbackPort(t)
	s.Proxy = procs.Start(t, "proxy", dir, filepath.Join(buildDir(), "proxy", "archway-proxy"),
		"--admin-socket", s.Socket, "--admin-port", strconv.Itoa(s.AdminPort),
		"--state-dir", filepath.Join(dir, "state"), "--workers", "1",
		// A handler that throws is a bug: fail loudly (docs/proxy.md).
		"--abort-on-loop-exception")
	if o.identity == "" {
		o.identity = "ctl-" + ns
	}
	if o.debounce == "" {
		o.debounce = "20ms"
	}
	if o.leaseDuration == "" {
		o.leaseDuration = "4s"
	}
	args := []string{"--kubeconfig", c.Kubeconfig, "--admin-socket", s.Socket,
		"--watch-namespace", ns, "--leader-election-namespace", ns, "--identity", o.identity,
		"--lease-duration", o.leaseDuration, "--http-port", strconv.Itoa(httpPort),
		"--https-port", strconv.Itoa(httpsPort), "--debounce", o.debounce, "--publish-address", "127.0.0.1",
		"--health-port", strconv.Itoa(s.HealthPort), "--health-address", "127.0.0.1"}
	if !strings.Contains(strings.Join(o.extraArgs, " "), "--log-level") {
		args = append(args, "--log-level", "debug")
	}
	// Referenced Secrets are fetched again every second here (10 s by
	// default), so that tests of a rotated Secret wait less.
	if !strings.Contains(strings.Join(o.extraArgs, " "), "--secret-refresh-interval") {
		args = append(args, "--secret-refresh-interval", "1s")
	}
	args = append(args, backend.ControllerFlag...)
	args = append(args, o.extraArgs...)
	s.Controller = procs.Start(t, "controller-"+o.identity, dir, filepath.Join(buildDir(), "controller", "archway-controller"), args...)
	return s
}

// serveBackends starts one backend process per name, each behind a Service
// of that name (port 80) in ns.
func serveBackends(t *testing.T, c *cluster.Cluster, ns string, names ...string) map[string]*backend.Backend {
	t.Helper()
	out := map[string]*backend.Backend{}
	for _, name := range names {
		b := backend.Start(t, name, "127.0.0.1")
		c.Apply(t, ns, backend.ServiceManifest(name, 80, b))
		out[name] = b
	}
	return out
}

// probe GETs the controller's health endpoint; 0 when it cannot connect.
func (s *Stack) probe(path string) int {
	resp, err := httpClient.Get("http://127.0.0.1:" + strconv.Itoa(s.HealthPort) + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// restartController starts another controller process with the same flags.
func (s *Stack) controllerArgs() []string { return s.Controller.Cmd.Args[1:] }

var httpClient = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// get sends one request through the proxy.
func (s *Stack) get(host, path string) (int, backend.Answer, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	code, body, err := backend.Get(ctx, httpClient, s.HTTPAddr, host, path)
	if err != nil {
		return 0, backend.Answer{}, err.Error()
	}
	a, _ := backend.ParseAnswer(body)
	return code, a, string(body)
}

// eventually polls cond every 50 ms until it returns "" (success) or the
// timeout passes, then fails with the last message.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		if last = cond(); last == "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v: %s", what, timeout, last)
}

// expectBackend waits until host+path is answered by the named backend.
func (s *Stack) expectBackend(t *testing.T, host, path, name string) backend.Answer {
	t.Helper()
	var got backend.Answer
	eventually(t, 20*time.Second, fmt.Sprintf("%s%s → %s", host, path, name), func() string {
		code, a, body := s.get(host, path)
		if code == 200 && a.Name == name {
			got = a
			return ""
		}
		return fmt.Sprintf("HTTP %d %s", code, strings.TrimSpace(body))
	})
	return got
}

func (s *Stack) expectStatus(t *testing.T, host, path string, want int) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("%s%s → %d", host, path, want), func() string {
		code, _, body := s.get(host, path)
		if code == want {
			return ""
		}
		return fmt.Sprintf("HTTP %d %s", code, strings.TrimSpace(body))
	})
}

// condition reads one condition of an APIRoute as "Status/Reason/Message".
func condition(t *testing.T, c *cluster.Cluster, ns, route, typ string) string {
	t.Helper()
	out, err := c.TryKubectl("-n", ns, "get", "apiroute", route, "-o",
		fmt.Sprintf(`jsonpath={.status.conditions[?(@.type=="%s")].status}/{.status.conditions[?(@.type=="%s")].reason}/{.status.conditions[?(@.type=="%s")].message}`, typ, typ, typ))
	if err != nil {
		return "error: " + err.Error()
	}
	return out
}

func waitCondition(t *testing.T, c *cluster.Cluster, ns, route, typ, prefix string) string {
	t.Helper()
	var got string
	eventually(t, 30*time.Second, route+" "+typ+" "+prefix, func() string {
		got = condition(t, c, ns, route, typ)
		if strings.HasPrefix(got, prefix) {
			return ""
		}
		return got
	})
	return got
}
