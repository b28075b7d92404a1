package helm

import (
	"archway.dev/e2e/internal/procs"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
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

// selfSignedSecret is a kubernetes.io/tls Secret for host whose certificate
// carries `serial`, so that the test can tell which one the proxy serves.
func selfSignedSecret(t *testing.T, name, host string, serial int64) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	b64 := base64.StdEncoding.EncodeToString
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + "}\ntype: kubernetes.io/tls\ndata:\n" +
		"  tls.crt: " + b64(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + "\n" +
		"  tls.key: " + b64(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})) + "\n"
}

// httpsGet sends GET https://host/path to addr (SNI host) with an optional
// API key, and returns the status, the body and the serial of the
// certificate the proxy presented (-1 when the handshake failed).
func httpsGet(addr, host, path, apiKey string) (int, string, int64) {
	var serial int64 = -1
	tr := &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig: &tls.Config{ServerName: host, InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) > 0 {
					serial = cs.PeerCertificates[0].SerialNumber.Int64()
				}
				return nil
			}},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: tr}
	req, _ := http.NewRequest("GET", "https://"+host+path, nil)
	if apiKey != "" {
		req.Header.Set("X-Api-Key", apiKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error(), serial
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), serial
}

// The default install (no watchNamespaces: a ClusterRole) grants `get` on
// Secrets but neither list nor watch, cluster-wide or in any namespace; the
// real controller, running with the chart's ServiceAccount token and nothing
// else, still serves a route's TLS certificate and API keys from the Secrets
// it names (fetched by name), and a rotated certificate is served within the
// refresh interval (2 s here; the measured delay is logged).
func TestDefaultInstallCannotListSecretsAndServesReferencedOnes(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	watched := c.Namespace(t)
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	release := "lp"
	full := "lp-archway"
	class := ns // IngressClass is cluster-scoped: a name of this test's own
	sa := "system:serviceaccount:" + ns + ":" + full

	helmRun(t, c, "install", release, chart, "-n", ns,
		"--set", "ingressClass.name="+class, "--set", "ingressClass.default=false")
	t.Cleanup(func() { _, _ = c.Run("", "helm", "uninstall", release, "-n", ns) })

	// kubectl auth can-i list secrets --all-namespaces --as=system:serviceaccount:NS:NAME
	for _, p := range []struct {
		args []string
		want bool
	}{
		{[]string{"list", "secrets", "--all-namespaces"}, false},
		{[]string{"watch", "secrets", "--all-namespaces"}, false},
		{[]string{"list", "secrets", "-n", watched}, false},
		{[]string{"get", "secrets", "-n", watched}, true},
		{[]string{"list", "referencegrants.archway.dev", "--all-namespaces"}, true},
	} {
		if got := canI(c, sa, p.args...); got != p.want {
			t.Errorf("can-i %v as %s: got %v, want %v", p.args, sa, got, p.want)
		}
	}

	token := strings.TrimSpace(c.Kubectl(t, "create", "token", full, "-n", ns, "--duration=1h"))
	kc := c.TokenKubeconfig(t, token)
	// The token itself is refused a list, whatever can-i says.
	if out, err := c.Run("", "kubectl", "--kubeconfig", kc, "get", "secrets", "-A"); err == nil ||
		!strings.Contains(strings.ToLower(err.Error()), "forbidden") {
		t.Errorf("kubectl get secrets -A with the ServiceAccount token: want Forbidden, got %v %s", err, out)
	}

	dir, err := os.MkdirTemp("", "archway-helm-lp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "admin.sock")
	httpPort, httpsPort, adminPort := procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t)
	procs.Start(t, "proxy", dir, filepath.Join(buildDir(t), "proxy", "archway-proxy"),
		"--admin-socket", socket, "--admin-port", strconv.Itoa(adminPort),
		"--state-dir", filepath.Join(dir, "state"), "--workers", "1", "--abort-on-loop-exception")
	const refresh = 2 * time.Second
	// No --watch-namespace: the default install's cluster-wide mode.
	args := []string{"--kubeconfig", kc, "--admin-socket", socket,
		"--leader-election-namespace", ns, "--identity", "lp-" + ns,
		"--ingress-class", class, "--publish-address", "127.0.0.1", "--log-level", "debug",
		"--lease-duration", "4s", "--debounce", "20ms", "--secret-refresh-interval", refresh.String(),
		"--http-port", strconv.Itoa(httpPort), "--https-port", strconv.Itoa(httpsPort)}
	args = append(args, backend.ControllerFlag...)
	ctlLog := procs.Start(t, "controller", dir, filepath.Join(buildDir(t), "controller", "archway-controller"), args...).Log

	const host = "secure.example.com"
	const key = "ak_lp_5f0c2a7e9b3d4c1a8e2f"
	be := backend.Start(t, "blue", "127.0.0.1")
	c.Apply(t, watched, backend.ServiceManifest("blue", 80, be))
	c.Apply(t, watched, selfSignedSecret(t, "secure-tls", host, 1))
	c.Apply(t, watched, "apiVersion: v1\nkind: Secret\nmetadata: {name: api-keys}\nstringData: {alice: \""+key+"\"}\n")
	// A Secret no route names: never fetched (the unit test
	// InformerSet.FetchesOnlyReferencedSecretsByNameNeverLists checks the paths).
	c.Apply(t, watched, "apiVersion: v1\nkind: Secret\nmetadata: {name: unrelated}\nstringData: {x: \"y\"}\n")
	c.Apply(t, watched, fmt.Sprintf(`apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: secure}
spec:
  ingressClassName: %s
  hostnames: [%s]
  tls: {secretName: secure-tls}
  rules:
  - name: main
    matches: [{path: {value: /api}}]
    auth: {apiKey: {header: X-Api-Key, secretRef: {name: api-keys}}}
    backends: [{name: blue, port: 80}]
`, class, host))
	if err := c.WaitCondition(watched, "apiroute/secure", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}

	addr := "127.0.0.1:" + strconv.Itoa(httpsPort)
	eventually(t, 20*time.Second, func() error {
		code, body, serial := httpsGet(addr, host, "/api/orders", key)
		if a, _ := backend.ParseAnswer([]byte(body)); code != 200 || a.Name != "blue" || serial != 1 {
			return fmt.Errorf("HTTPS with the key: HTTP %d, certificate serial %d, %s", code, serial, body)
		}
		return nil
	})
	if code, body, _ := httpsGet(addr, host, "/api/orders", ""); code != 401 {
		t.Errorf("without the key: HTTP %d %s, want 401", code, body)
	}

	// Rotation: a new certificate in the same Secret, served within the
	// bound; five times, for the figures in docs/scale.md.
	bound := refresh + 3*time.Second // + one pass of GETs, the debounce, compile and push, and slack
	var delays []string
	for serial := int64(2); serial <= 6; serial++ {
		c.Apply(t, watched, selfSignedSecret(t, "secure-tls", host, serial))
		applied := time.Now()
		for {
			_, _, got := httpsGet(addr, host, "/api/orders", key)
			if got == serial {
				break
			}
			if time.Since(applied) > bound {
				t.Fatalf("rotated certificate %d not served within %v (still serial %d)", serial, bound, got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		delays = append(delays, time.Since(applied).Round(10*time.Millisecond).String())
	}
	t.Logf("rotated certificate served after %s (refresh interval %v)", strings.Join(delays, ", "), refresh)

	logData, err := os.ReadFile(ctlLog)
	if err != nil {
		t.Fatal(err)
	}
	// Cluster-wide, this controller also sees other tests' namespaces (and
	// their Events may be refused while a namespace terminates): only what
	// concerns Secrets is judged here.
	for _, l := range strings.Split(string(logData), "\n") {
		low := strings.ToLower(l)
		if strings.Contains(low, "secret") && (strings.Contains(low, "forbidden") || strings.Contains(low, "list failed")) {
			t.Errorf("controller log: %s", l)
		}
	}
}
