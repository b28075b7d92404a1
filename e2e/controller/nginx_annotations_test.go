package controllere2e

import (
	"context"
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

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
)

// Ingresses written for ingress-nginx (issue 19; docs/migration.md),
// modelled on its documentation's examples, applied with kubectl to a real
// API server and served by Archway to real clients: rewrite with capture
// groups, canary by weight and by header, CORS, ssl-redirect (by default on
// a TLS host, turned off, forced), backend-protocol GRPC; a snippet and an
// unknown annotation named in Warning Events, a hostile value refused with
// nothing served, and the import off for a class that does not opt in.
//
// The import is opted into per IngressClass: "archway-nginx" (our
// controller, annotated archway.dev/nginx-annotations: "true").
func TestNginxAnnotations(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "http-svc", "production", "canary", "header-main", "header-canary", "cors", "secure", "plain")
	if _, err := c.Run(`apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: archway-nginx
  annotations: {archway.dev/nginx-annotations: "true"}
spec: {controller: archway.dev/ingress-controller}
`, "kubectl", "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}

	// Rewrite (ingress-nginx docs, "Rewrite"): /something(/|$)(.*) → /$2.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rewrite
  annotations:
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
spec:
  ingressClassName: archway-nginx
  rules:
  - host: rewrite.bar.com
    http:
      paths:
      - path: /something(/|$)(.*)
        pathType: ImplementationSpecific
        backend: {service: {name: http-svc, port: {number: 80}}}
`)
	for path, want := range map[string]string{
		"/something":         "/",
		"/something/":        "/",
		"/something/new":     "/new",
		"/Something/a/b/c":   "/a/b/c",
		"/something/new?x=1": "/new",
	} {
		a := s.expectBackend(t, "rewrite.bar.com", path, "http-svc")
		if a.Path != want {
			t.Errorf("rewrite %s: backend got path %q, want %q", path, a.Path, want)
		}
		if strings.Contains(path, "?") && a.Query != "x=1" {
			t.Errorf("rewrite %s: backend got query %q, want x=1", path, a.Query)
		}
	}
	s.expectStatus(t, "rewrite.bar.com", "/somethingelse", 404)

	// Canary by weight (docs, "Canary"): a second Ingress for the same host
	// and path, annotated canary + canary-weight.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: production}
spec:
  ingressClassName: archway-nginx
  rules:
  - host: echo.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: production, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: canary
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-weight: "30"
spec:
  ingressClassName: archway-nginx
  rules:
  - host: echo.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: canary, port: {number: 80}}}}
`)
	s.expectBackend(t, "echo.example.com", "/", "canary") // the canary is merged
	const n = 400
	counts := map[string]int{}
	for i := 0; i < n; i++ {
		code, a, body := s.get("echo.example.com", "/w")
		if code != 200 {
			t.Fatalf("weighted canary: HTTP %d %s", code, body)
		}
		counts[a.Name]++
	}
	t.Logf("canary-weight 30 over %d requests: %v", n, counts)
	// 30 % of 400 is 120; a fair split lands far inside [60, 180].
	if counts["canary"] < 60 || counts["canary"] > 180 || counts["canary"]+counts["production"] != n {
		t.Errorf("canary-weight 30: %v of %d requests", counts, n)
	}

	// Canary by header: "always" → canary, "never" → main, else the weight (0).
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: header-main}
spec:
  ingressClassName: archway-nginx
  rules:
  - host: header.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: header-main, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: header-canary
  annotations:
    nginx.ingress.kubernetes.io/canary: "true"
    nginx.ingress.kubernetes.io/canary-by-header: X-Canary
spec:
  ingressClassName: archway-nginx
  rules:
  - host: header.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: header-canary, port: {number: 80}}}}
`)
	withHeader := func(value string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.HTTPAddr+"/h", nil)
		req.Host = "header.example.com"
		if value != "" {
			req.Header.Set("X-Canary", value)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		a, _ := backend.ParseAnswer(body)
		return a.Name
	}
	eventually(t, 20*time.Second, "canary-by-header always", func() string {
		if got := withHeader("always"); got != "header-canary" {
			return got
		}
		return ""
	})
	for i := 0; i < 20; i++ {
		if got := withHeader("always"); got != "header-canary" {
			t.Errorf("X-Canary: always → %s", got)
		}
		if got := withHeader("never"); got != "header-main" {
			t.Errorf("X-Canary: never → %s", got)
		}
		if got := withHeader(""); got != "header-main" {
			t.Errorf("no X-Canary → %s", got)
		}
	}

	// CORS (docs, "Enable CORS").
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: cors
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: "true"
    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com"
    nginx.ingress.kubernetes.io/cors-allow-methods: "PUT, GET, POST, OPTIONS"
    nginx.ingress.kubernetes.io/cors-allow-credentials: "true"
    nginx.ingress.kubernetes.io/cors-max-age: "600"
spec:
  ingressClassName: archway-nginx
  rules:
  - host: cors.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: cors, port: {number: 80}}}}
`)
	s.expectBackend(t, "cors.example.com", "/api", "cors")
	send := func(method string, hdr http.Header) *http.Response {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+s.HTTPAddr+"/api", nil)
		req.Host = "cors.example.com"
		req.Header = hdr
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		resp.Body.Close()
		return resp
	}
	pre := send(http.MethodOptions, http.Header{"Origin": {"https://app.example.com"},
		"Access-Control-Request-Method": {"PUT"}})
	if pre.StatusCode/100 != 2 || pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "PUT") ||
		pre.Header.Get("Access-Control-Allow-Credentials") != "true" ||
		pre.Header.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	if got := send(http.MethodGet, http.Header{"Origin": {"https://app.example.com"}}); got.StatusCode != 200 ||
		got.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("simple request: %d %v", got.StatusCode, got.Header)
	}
	if got := send(http.MethodGet, http.Header{"Origin": {"https://evil.example.com"}}); got.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin was allowed: %v", got.Header)
	}

	// ssl-redirect: on by default for a host with TLS, off when asked,
	// forced without TLS.
	ca := newCA(t)
	crt, key := ca.leaf(t, "secure.example.com", 2)
	c.Apply(t, ns, tlsSecret("secure-tls", crt, key))
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: secure}
spec:
  ingressClassName: archway-nginx
  tls: [{hosts: [secure.example.com], secretName: secure-tls}]
  rules:
  - host: secure.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: secure, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: plain
  annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}
spec:
  ingressClassName: archway-nginx
  tls: [{hosts: [plain.example.com], secretName: secure-tls}]
  rules:
  - host: plain.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: forced
  annotations: {nginx.ingress.kubernetes.io/force-ssl-redirect: "true"}
spec:
  ingressClassName: archway-nginx
  rules:
  - host: forced.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}
`)
	noFollow := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	redirectOf := func(host string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.HTTPAddr+"/a/b?q=1", nil)
		req.Host = host
		resp, err := noFollow.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	for _, host := range []string{"secure.example.com", "forced.example.com"} {
		eventually(t, 20*time.Second, "ssl-redirect "+host, func() string {
			if code, loc := redirectOf(host); code != 308 || loc != "https://"+host+"/a/b?q=1" {
				return fmt.Sprintf("%d %s", code, loc)
			}
			return ""
		})
	}
	s.expectBackend(t, "plain.example.com", "/a/b", "plain")
	// Over TLS the redirecting host serves.
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(s.HTTPSPort)
	eventually(t, 20*time.Second, "https secure.example.com", func() string {
		out, err := exec.Command("curl", "-sS", "--max-time", "3", "--resolve", "secure.example.com:"+port+":127.0.0.1",
			"--cacert", caFile, "https://secure.example.com:"+port+"/over-tls").CombinedOutput()
		if err == nil && strings.Contains(string(out), `"name":"secure"`) {
			return ""
		}
		return string(out)
	})

	// backend-protocol GRPC (docs, "gRPC"): gRPC over h2c to the Service.
	grpcBackend, err := startChurnBackend(t, testBackendBinary(t), "grpc")
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(t, ns, backend.ServiceManifest("grpc-svc", 80, &backend.Backend{Name: "grpc", IP: "127.0.0.1", Port: grpcBackend.port}))
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: grpc
  annotations: {nginx.ingress.kubernetes.io/backend-protocol: "GRPC"}
spec:
  ingressClassName: archway-nginx
  rules:
  - host: grpc.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: grpc-svc, port: {number: 80}}}}
`)
	cc, err := grpc.NewClient("passthrough:///"+s.HTTPAddr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithAuthority("grpc.example.com"),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", a)
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	client := testpb.NewTestServiceClient(cc)
	eventually(t, 20*time.Second, "gRPC through the Ingress", func() string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var hdr metadata.MD
		resp, err := client.UnaryCall(ctx, &testpb.SimpleRequest{ResponseSize: 3}, grpc.Header(&hdr))
		if err != nil {
			return err.Error()
		}
		if got := hdr.Get("x-backend-name"); len(got) != 1 || got[0] != "grpc" || len(resp.GetPayload().GetBody()) != 3 {
			return fmt.Sprintf("header %v, payload %d bytes", got, len(resp.GetPayload().GetBody()))
		}
		return ""
	})

	// What is not honoured is named in Warning Events; the rest serves.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: snippets
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Evil: 1";
    nginx.ingress.kubernetes.io/proxy-buffering: "on"
    nginx.ingress.kubernetes.io/not-a-real-annotation: "1"
spec:
  ingressClassName: archway-nginx
  rules:
  - host: snippets.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}
`)
	s.expectBackend(t, "snippets.example.com", "/", "plain")
	expectEvents(t, c, ns, "snippets", "SnippetNotHonoured", "configuration-snippet", "AnnotationNotHonoured",
		"proxy-buffering", "UnknownAnnotation", "not-a-real-annotation")

	// A hostile value: refused, a Warning Event, nothing served.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: hostile
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: "/$1; } location /x { return 200"
spec:
  ingressClassName: archway-nginx
  rules:
  - host: hostile.example.com
    http:
      paths:
      - {path: /h(.*), pathType: ImplementationSpecific, backend: {service: {name: plain, port: {number: 80}}}}
`)
	expectEvents(t, c, ns, "hostile", "InvalidValue", "rewrite-target")
	s.expectStatus(t, "hostile.example.com", "/hx", 404)

	// The import off (class "archway" does not opt in): ignored, and said so.
	c.Apply(t, ns, `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: not-imported
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}
spec:
  ingressClassName: archway
  rules:
  - host: off.example.com
    http:
      paths:
      - {path: /app, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}
`)
	if a := s.expectBackend(t, "off.example.com", "/app/x", "plain"); a.Path != "/app/x" {
		t.Errorf("import off: backend got %q, want the path unchanged", a.Path)
	}
	expectEvents(t, c, ns, "not-imported", "NginxAnnotationsIgnored", "rewrite-target")
}

// expectEvents waits until `kubectl describe ingress` shows every string.
func expectEvents(t *testing.T, c *cluster.Cluster, ns, name string, want ...string) {
	t.Helper()
	eventually(t, 30*time.Second, "Events on Ingress "+name, func() string {
		out, _ := c.TryKubectl("-n", ns, "describe", "ingress", name)
		for _, w := range want {
			if !strings.Contains(out, w) {
				return "missing " + w + " in:\n" + out
			}
		}
		return ""
	})
}
