package helm

import (
	"archway.dev/e2e/internal/procs"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
)

// buildDir holds archway-proxy and archway-controller ($ARCHWAY_BUILD_DIR,
// else build/ at the repository root).
func buildDir(t *testing.T) string {
	if d := os.Getenv("ARCHWAY_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), "build")
}

// The chart's RBAC is enough for the real controller, and no more: the
// controller runs outside the cluster with a token of the chart's
// ServiceAccount (namespaced mode, one watched namespace), takes the
// leader-election Lease in the release namespace, turns an APIRoute Ready,
// and the proxy it drives answers through the route; the API server refused
// it nothing (no "forbidden" in its log), and the same token is refused a
// call the chart does not grant.
func TestControllerWithChartRBAC(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	watched := c.Namespace(t)
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	release := "gw"
	full := "gw-archway"
	class := ns // IngressClass is cluster-scoped: a name of this test's own

	helmRun(t, c, "install", release, chart, "-n", ns,
		"--set", "ingressClass.name="+class, "--set", "ingressClass.default=false",
		"--set", "watchNamespaces={"+watched+"}")
	t.Cleanup(func() { _, _ = c.Run("", "helm", "uninstall", release, "-n", ns) })

	token := strings.TrimSpace(c.Kubectl(t, "create", "token", full, "-n", ns, "--duration=1h"))
	if token == "" {
		t.Fatal("kubectl create token printed nothing")
	}
	kc := c.TokenKubeconfig(t, token)
	asSA := func(args ...string) (string, error) {
		return c.Run("", "kubectl", append([]string{"--kubeconfig", kc}, args...)...)
	}
	if who, err := asSA("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"); err == nil &&
		who != "system:serviceaccount:"+ns+":"+full {
		t.Fatalf("token authenticates as %q", who)
	}

	// Proxy + controller, as the chart's pod runs them, on free ports.
	dir, err := os.MkdirTemp("", "archway-helm-rbac-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "admin.sock")
	httpPort, httpsPort, adminPort := procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t)
	procs.Start(t, "proxy", dir, filepath.Join(buildDir(t), "proxy", "archway-proxy"),
		"--admin-socket", socket, "--admin-port", strconv.Itoa(adminPort),
		"--state-dir", filepath.Join(dir, "state"), "--workers", "1",
		// A handler that throws is a bug: fail loudly (docs/proxy.md).
		"--abort-on-loop-exception")
	args := []string{"--kubeconfig", kc, "--admin-socket", socket,
		"--leader-election-namespace", ns, "--identity", "rbac-" + ns,
		"--ingress-class", class, "--watch-namespace", watched,
		"--publish-address", "127.0.0.1", "--log-level", "debug",
		"--lease-duration", "4s", "--debounce", "20ms",
		"--http-port", strconv.Itoa(httpPort), "--https-port", strconv.Itoa(httpsPort)}
	args = append(args, backend.ControllerFlag...)
	ctlLog := procs.Start(t, "controller", dir, filepath.Join(buildDir(t), "controller", "archway-controller"), args...).Log

	be := backend.Start(t, "blue", "127.0.0.1")
	c.Apply(t, watched, backend.ServiceManifest("blue", 80, be))
	c.Apply(t, watched, fmt.Sprintf(`apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: shop}
spec:
  ingressClassName: %s
  hostnames: [shop.example.com]
  rules:
  - name: main
    matches: [{path: {type: PathPrefix, value: /api}}]
    backends: [{name: blue, port: 80}]
`, class))
	if err := c.WaitCondition(watched, "apiroute/shop", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}

	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	addr := "127.0.0.1:" + strconv.Itoa(httpPort)
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		code, body, err := backend.Get(ctx, client, addr, "shop.example.com", "/api/orders")
		cancel()
		if err == nil && code == 200 {
			if a, _ := backend.ParseAnswer(body); a.Name == "blue" && a.Path == "/api/orders" {
				break
			}
		}
		last = fmt.Sprintf("HTTP %d %s %v", code, strings.TrimSpace(string(body)), err)
		if time.Now().After(deadline) {
			t.Fatalf("shop.example.com/api/orders not answered by blue within 20s: %s", last)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The controller took the Lease with the token's rights.
	if h := c.Kubectl(t, "-n", ns, "get", "leases", "-o", "jsonpath={.items[*].spec.holderIdentity}"); !strings.Contains(h, "rbac-"+ns) {
		t.Errorf("no Lease in %s held by the controller: %q", ns, h)
	}

	// Nothing was refused.
	logData, err := os.ReadFile(ctlLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(logData), "\n") {
		if strings.Contains(strings.ToLower(l), "forbidden") {
			t.Errorf("controller log: %s", l)
		}
	}

	// Least privilege: the same token is refused what the chart does not grant.
	refused := [][]string{
		{"-n", watched, "delete", "service", "blue"},
		{"-n", watched, "create", "deployment", "intruder", "--image=busybox"},
		{"-n", "kube-system", "get", "secrets", "-o", "name"},
	}
	for _, r := range refused {
		out, err := asSA(r...)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), "forbidden") {
			t.Errorf("kubectl %v with the ServiceAccount token: want Forbidden, got %v %s", r, err, out)
		}
	}
	if _, err := c.TryKubectl("-n", watched, "get", "service", "blue"); err != nil {
		t.Errorf("service blue gone after the refused delete: %v", err)
	}
}
