package controllere2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "archway e2e CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leaf returns PEM cert and key for host.
func (ca *testCA) leaf(t *testing.T, host string, serial int64) (string, string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

func tlsSecret(name, cert, key string) string {
	b64 := base64.StdEncoding.EncodeToString
	return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + "}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: " +
		b64([]byte(cert)) + "\n  tls.key: " + b64([]byte(key)) + "\n"
}

// Two hosts and a one-label wildcard, Exact and Prefix paths, a
// defaultBackend, TLS per SNI from Secrets (checked with curl --resolve
// --cacert), status.loadBalancer.
func TestIngress(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	web := backend.Start(t, "web", "127.0.0.1")
	api := backend.Start(t, "api", "127.0.0.1")
	fallback := backend.Start(t, "fallback", "127.0.0.1")
	for _, b := range []*backend.Backend{web, api, fallback} {
		c.Apply(t, ns, backend.ServiceManifest(b.Name, 80, b))
	}
	ca := newCA(t)
	webCrt, webKey := ca.leaf(t, "www.example.com", 2)
	apiCrt, apiKey := ca.leaf(t, "api.example.com", 3)
	c.Apply(t, ns, tlsSecret("www-tls", webCrt, webKey))
	c.Apply(t, ns, tlsSecret("api-tls", apiCrt, apiKey))
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  ingressClassName: archway
  defaultBackend: {service: {name: fallback, port: {number: 80}}}
  tls:
  - {hosts: [www.example.com], secretName: www-tls}
  - {hosts: [api.example.com], secretName: api-tls}
  rules:
  - host: www.example.com
    http:
      paths:
      - {path: /exact, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /app, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
  - host: api.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
  - host: "*.wild.example.com"
    http:
      paths:
      - {path: /w, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
`)
	s.expectBackend(t, "www.example.com", "/exact", "web")
	// Ingress wildcards cover exactly one label; deeper hosts match no rule
	// and go to the defaultBackend.
	s.expectBackend(t, "a.wild.example.com", "/w/x", "api")
	s.expectBackend(t, "a.b.wild.example.com", "/w/x", "fallback")
	s.expectBackend(t, "wild.example.com", "/w/x", "fallback")
	s.expectBackend(t, "www.example.com", "/app/page", "web")
	s.expectBackend(t, "www.example.com", "/exact/more", "fallback") // Exact is exact
	s.expectBackend(t, "www.example.com", "/apple", "fallback")      // Prefix is per segment
	s.expectBackend(t, "api.example.com", "/anything", "api")
	s.expectBackend(t, "unknown.example.com", "/", "fallback")

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(s.HTTPSPort)
	for _, tc := range []struct{ host, path, want string }{
		{"www.example.com", "/app/x", `"name":"web"`},
		{"api.example.com", "/v1", `"name":"api"`},
	} {
		eventually(t, 20*time.Second, "https "+tc.host, func() string {
			out, err := exec.Command("curl", "-sS", "--max-time", "3", "--resolve", tc.host+":"+port+":127.0.0.1",
				"--cacert", caFile, "https://"+tc.host+":"+port+tc.path).CombinedOutput()
			if err == nil && strings.Contains(string(out), tc.want) {
				return ""
			}
			return string(out)
		})
	}

	eventually(t, 30*time.Second, "status.loadBalancer", func() string {
		out, _ := c.TryKubectl("-n", ns, "get", "ingress", "site", "-o", "jsonpath={.status.loadBalancer.ingress[*].ip}")
		if strings.TrimSpace(out) == "127.0.0.1" {
			return ""
		}
		return out
	})

	// A rejected Ingress is reported through a Warning Event.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: broken}
spec:
  ingressClassName: archway
  rules:
  - host: broken.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}
`)
	eventually(t, 30*time.Second, "Warning event on the Ingress", func() string {
		out, _ := c.TryKubectl("-n", ns, "describe", "ingress", "broken")
		if strings.Contains(out, "BackendNotFound") && strings.Contains(out, "missing") {
			return ""
		}
		return out
	})
}
