package controllere2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
)

// kubectl-archway (docs/kubectl-archway.md) against the real API server,
// with the kubeconfig the harness gives: explain must name the backend the
// proxy actually answers with, status must list what is not Ready, and
// migrate's output must serve like the Ingress it came from.

func pluginBinary() string { return filepath.Join(buildDir(), "controller", "cli", "kubectl-archway") }

// archway runs kubectl-archway with the harness's admin kubeconfig ($KUBECONFIG).
func archway(c *cluster.Cluster, stdin string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := c.Command(ctx, pluginBinary(), args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

type explanation struct {
	Outcome string `json:"outcome"`
	Winner  *struct {
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		Rule      string `json:"rule"`
		Backends  []struct {
			Service string `json:"service"`
		} `json:"backends"`
		Policies []string `json:"policies"`
	} `json:"winner"`
	Lost []struct {
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		Rule   string `json:"rule"`
		Reason string `json:"reason"`
	} `json:"lost"`
}

type probe struct {
	method, host, path string
	headers            map[string]string
	want               string // backend name; "" = 404
}

func (p probe) args(ns string) []string {
	path, query, _ := strings.Cut(p.path, "?")
	args := []string{"explain", "-n", ns, "-o", "json", "--host", p.host, "--path", path, "--method", p.method}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			args = append(args, "--query", kv)
		}
	}
	for k, v := range p.headers {
		args = append(args, "--header", k+"="+v)
	}
	return args
}

// send sends the request through the proxy; it returns the status and the
// name of the backend that answered.
func (s *Stack) send(p probe) (int, string, error) {
	req, err := http.NewRequest(p.method, "http://"+s.HTTPAddr+p.path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = p.host
	for k, v := range p.headers {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a, _ := backend.ParseAnswer(body)
	return resp.StatusCode, a.Name, nil
}

func explainOf(c *cluster.Cluster, ns string, p probe) (explanation, error) {
	var e explanation
	out, stderr, err := archway(c, "", p.args(ns)...)
	if err != nil {
		return e, fmt.Errorf("%v: %s", err, stderr)
	}
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		return e, fmt.Errorf("%v: %s", err, out)
	}
	return e, nil
}

func (e explanation) backend(ns string) string {
	if e.Winner == nil || len(e.Winner.Backends) == 0 {
		return ""
	}
	return strings.TrimPrefix(e.Winner.Backends[0].Service, ns+"/")
}

const pluginRoutes = `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: shop}
spec:
  hostnames: [shop.example.com]
  rules:
  - name: prefix-api
    matches: [{path: {type: PathPrefix, value: /api}}]
    backends: [{name: a, port: 80}]
  - name: prefix-orders
    matches: [{path: {type: PathPrefix, value: /api/orders}}]
    backends: [{name: b, port: 80}]
  - name: exact-api
    matches: [{path: {type: Exact, value: /api/exact}}]
    backends: [{name: c, port: 80}]
  - name: canary
    matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: X-Env, value: canary}]}]
    backends: [{name: d, port: 80}]
  - name: query-v2
    matches: [{path: {type: PathPrefix, value: /api}, queryParams: [{name: v, value: "2"}]}]
    backends: [{name: e, port: 80}]
  - name: posts
    matches: [{path: {type: PathPrefix, value: /api}, methods: [POST]}]
    cors: {allowOrigins: ["https://app.example.com"]}
    backends: [{name: c, port: 80}]
---
apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: wild}
spec:
  hostnames: ["*.example.com"]
  rules:
  - name: all
    backends: [{name: e, port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: legacy}
spec:
  ingressClassName: archway
  rules:
  - host: shop.example.com
    http: {paths: [{path: /legacy, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}]}
  - host: legacy.example.org
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}]}
  - host: "*.ing.example.net"
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: c, port: {number: 80}}}}]}
`

// The younger route claims prefix-api's exact match: a conflict it loses.
const youngerRoute = `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: younger}
spec:
  hostnames: [shop.example.com]
  rules:
  - name: same
    matches: [{path: {type: PathPrefix, value: /api}}]
    backends: [{name: d, port: 80}]
`

func TestKubectlArchwayExplainMatchesTheProxy(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "a", "b", "c", "d", "e")
	c.Apply(t, ns, pluginRoutes)
	for _, r := range []string{"shop", "wild"} {
		if err := c.WaitCondition(ns, "apiroute/"+r, "Ready", 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.Apply(t, ns, youngerRoute)
	waitCondition(t, c, ns, "younger", "Accepted", "False/Conflicted")
	s.expectBackend(t, "legacy.example.org", "/", "a")

	canary := map[string]string{"X-Env": "canary"}
	probes := []probe{
		{"GET", "shop.example.com", "/api", nil, "a"},
		{"GET", "shop.example.com", "/api/orders/1", nil, "b"},
		{"GET", "shop.example.com", "/api/exact", nil, "c"},
		{"GET", "shop.example.com", "/api/exact/more", nil, "a"},
		{"GET", "shop.example.com", "/api/x", canary, "d"},
		{"GET", "shop.example.com", "/api/x", map[string]string{"X-Env": "prod"}, "a"},
		{"GET", "shop.example.com", "/api/x?v=2", nil, "e"},
		{"GET", "shop.example.com", "/api/x?v=3", nil, "a"},
		{"POST", "shop.example.com", "/api/x", nil, "c"},
		{"POST", "shop.example.com", "/api/orders", nil, "b"},
		{"GET", "shop.example.com", "/api/orders?v=2", nil, "b"},
		{"POST", "shop.example.com", "/api/x", canary, "d"},
		{"GET", "shop.example.com", "/api/x?v=2", canary, "d"},
		{"GET", "shop.example.com", "/legacy/page", nil, "b"},
		{"GET", "shop.example.com", "/", nil, ""},
		{"GET", "shop.example.com", "/API", nil, ""},
		{"GET", "SHOP.example.com:8080", "/api", nil, "a"},
		{"GET", "a.example.com", "/", nil, "e"},
		{"GET", "a.b.example.com", "/x", nil, "e"},
		{"GET", "a.example.com", "/api", nil, "e"},
		{"GET", "legacy.example.org", "/anything", nil, "a"},
		{"GET", "x.ing.example.net", "/", nil, "c"},
		{"GET", "a.b.ing.example.net", "/", nil, ""},
		{"GET", "other.org", "/", nil, ""},
	}
	for _, p := range probes {
		p := p
		name := fmt.Sprintf("%s %s%s %v", p.method, p.host, p.path, p.headers)
		eventually(t, 20*time.Second, name, func() string {
			code, answered, err := s.send(p)
			if err != nil {
				return err.Error()
			}
			if code != 200 {
				answered = ""
			}
			e, err := explainOf(c, ns, p)
			if err != nil {
				return err.Error()
			}
			if got := e.backend(ns); got != answered || answered != p.want {
				return fmt.Sprintf("explain says %q (%s), proxy answered %q (HTTP %d), want %q",
					got, e.Outcome, answered, code, p.want)
			}
			return ""
		})
	}

	// The reasons: a shorter prefix, a header that did not match, the
	// conflict's loser, an Ingress next to an APIRoute, and the chain.
	e, err := explainOf(c, ns, probe{"POST", "shop.example.com", "/api/orders", map[string]string{"X-Env": "prod"}, "b"})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, l := range e.Lost {
		reasons[l.Kind+" "+l.Name+"/"+l.Rule] = l.Reason
	}
	for key, want := range map[string]string{
		"APIRoute shop/prefix-api": "shorter prefix",
		"APIRoute shop/posts":      "shorter prefix",
		"APIRoute shop/canary":     "header x-env did not match",
		"APIRoute younger/same":    "Conflicted",
		"APIRoute wild/all":        "more specific than *.example.com",
	} {
		if !strings.Contains(reasons[key], want) {
			t.Errorf("%s: reason %q, want it to say %q (all: %v)", key, reasons[key], want, reasons)
		}
	}
	e, err = explainOf(c, ns, probe{"POST", "shop.example.com", "/api/x", nil, "c"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Winner == nil || e.Winner.Rule != "posts" || strings.Join(e.Winner.Policies, ",") != "cors" {
		t.Errorf("winner %+v, want rule posts with policies [cors]", e.Winner)
	}
	e, err = explainOf(c, ns, probe{"GET", "shop.example.com", "/legacy/x", nil, "b"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Winner == nil || e.Winner.Kind != "Ingress" || e.Winner.Name != "legacy" {
		t.Errorf("winner %+v, want Ingress legacy", e.Winner)
	}

	// The table output, through kubectl's plugin lookup on PATH.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := c.Command(ctx, "kubectl", "archway", "explain", "-n", ns, "--host", "shop.example.com", "--path", "/api/orders")
	cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(pluginBinary())+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "WINNER     APIRoute "+ns+"/shop rule prefix-orders") {
		t.Errorf("kubectl archway explain: %v\n%s", err, out)
	}
	t.Logf("kubectl archway explain:\n%s", out)
}

func TestKubectlArchwayStatus(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "a")
	c.Apply(t, ns, routeYAML("fine", "fine.example.com", "/", "a"))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: bad-regex}
spec:
  hostnames: [bad.example.com]
  rules:
  - name: r
    matches: [{path: {type: RegularExpression, value: "/(unclosed"}}]
    backends: [{name: a, port: 80}]
`)
	if err := c.WaitCondition(ns, "apiroute/fine", "Ready", 60*time.Second); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, c, ns, "bad-regex", "Accepted", "False/InvalidRegex")
	out, stderr, err := archway(c, "", "status", "-n", ns, "-o", "json")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var got struct {
		NotReady []struct{ Kind, Name, Condition, Reason, Message string } `json:"notReady"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	found := false
	for _, r := range got.NotReady {
		if r.Name == "fine" {
			t.Errorf("a Ready route is listed: %+v", r)
		}
		if r.Kind == "APIRoute" && r.Name == "bad-regex" && r.Condition == "Accepted" && r.Reason == "InvalidRegex" &&
			strings.Contains(r.Message, "spec.rules[0].matches[0].path.value") {
			found = true
		}
	}
	if !found {
		t.Errorf("bad-regex not listed with its reason: %s", out)
	}
	table, _, err := archway(c, "", "status", "-n", ns)
	if err != nil || !strings.Contains(table, "InvalidRegex") || !strings.HasPrefix(table, "KIND") {
		t.Errorf("table: %v\n%s", err, table)
	}
}

// A user who may not read Secrets still gets an answer, with a warning.
func TestKubectlArchwayWithoutSecrets(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "a")
	c.Apply(t, ns, routeYAML("fine", "fine.example.com", "/", "a"))
	// A route naming a Secret: the plugin GETs it by name, as the
	// controller does, and this user may not.
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: secure}
spec:
  hostnames: [secure.example.com]
  tls: {secretName: secure-tls}
  rules: [{name: r, backends: [{name: a, port: 80}]}]
`)
	c.Apply(t, ns, fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: routes-viewer}
rules:
- apiGroups: ["", networking.k8s.io, discovery.k8s.io, archway.dev]
  resources: [services, ingresses, endpointslices, apiroutes, referencegrants]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: routes-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: routes-viewer}
subjects: [{kind: ServiceAccount, name: viewer, namespace: %s}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: %s-classes}
rules:
- apiGroups: [networking.k8s.io]
  resources: [ingressclasses]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: %s-classes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s-classes}
subjects: [{kind: ServiceAccount, name: viewer, namespace: %s}]
`, ns, ns, ns, ns, ns))
	t.Cleanup(func() {
		c.TryKubectl("delete", "clusterrolebinding,clusterrole", ns+"-classes")
	})
	token := strings.TrimSpace(c.Kubectl(t, "-n", ns, "create", "token", "viewer"))
	kubeconfig := c.TokenKubeconfig(t, token)
	eventually(t, 20*time.Second, "explain as a user without Secrets", func() string {
		out, stderr, err := archway(c, "", "explain", "--kubeconfig", kubeconfig, "-n", ns, "-o", "json",
			"--host", "fine.example.com", "--path", "/")
		if err != nil {
			return fmt.Sprintf("%v: %s", err, stderr)
		}
		if !strings.Contains(stderr, "cannot get Secrets (403 Forbidden): "+ns+"/secure-tls") {
			return "no warning about Secrets: " + stderr
		}
		var e explanation
		if err := json.Unmarshal([]byte(out), &e); err != nil || e.Winner == nil || e.Winner.Name != "fine" {
			return "winner: " + out
		}
		return ""
	})
}

// migrate's output, applied with kubectl, is Accepted and serves what the
// Ingress served.
func TestKubectlArchwayMigrate(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "a", "b", "c")
	ingress := `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: mig}
spec:
  ingressClassName: archway
  defaultBackend: {service: {name: c, port: {number: 80}}}
  rules:
  - host: mig.example.com
    http:
      paths:
      - {path: /a, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
      - {path: /b, pathType: Exact, backend: {service: {name: b, port: {number: 80}}}}
`
	requests := []probe{
		{"GET", "mig.example.com", "/a", nil, "a"},
		{"GET", "mig.example.com", "/a/deeper", nil, "a"},
		{"GET", "mig.example.com", "/b", nil, "b"},
		{"GET", "mig.example.com", "/b/deeper", nil, "c"},
		{"GET", "mig.example.com", "/", nil, "c"},
		{"GET", "other.example.com", "/x", nil, "c"},
	}
	check := func(stage string) {
		for _, p := range requests {
			p := p
			eventually(t, 20*time.Second, stage+": "+p.host+p.path, func() string {
				code, answered, err := s.send(p)
				if err != nil || code != 200 || answered != p.want {
					return fmt.Sprintf("HTTP %d from %q (%v), want %q", code, answered, err, p.want)
				}
				return ""
			})
		}
	}
	c.Apply(t, ns, ingress)
	check("Ingress")

	out, stderr, err := archway(c, ingress, "migrate", "-f", "-")
	if err != nil {
		t.Fatalf("migrate: %v: %s", err, stderr)
	}
	c.Kubectl(t, "-n", ns, "delete", "ingress", "mig")
	c.Apply(t, ns, out)
	for _, name := range []string{"mig-any-host", "mig-mig-example-com"} {
		waitCondition(t, c, ns, name, "Accepted", "True")
	}
	check("migrated APIRoutes")
}
