package helm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"archway.dev/e2e/cluster"
)

// helmRun runs helm against the cluster; a failure fails t.
func helmRun(t *testing.T, c *cluster.Cluster, args ...string) string {
	t.Helper()
	out, err := c.Run("", "helm", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// manifest saves `helm get manifest` of the release to a file, for
// `kubectl get -f`, and returns its path and how many objects it holds.
func manifest(t *testing.T, c *cluster.Cluster, release, ns, name string) (string, int) {
	t.Helper()
	m := helmRun(t, c, "get", "manifest", release, "-n", ns)
	path := filepath.Join(t.TempDir(), name+".yaml")
	if err := os.WriteFile(path, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, "kind: ") {
			n++
		}
	}
	return path, n
}

// canI asks the API server whether the chart's ServiceAccount may do verb on
// resource (kubectl auth can-i: "yes" exits 0, "no" exits 1).
func canI(c *cluster.Cluster, sa string, args ...string) bool {
	out, _ := c.TryKubectl(append([]string{"auth", "can-i", "--as", sa}, args...)...)
	return strings.TrimSpace(out) == "yes"
}

func TestHelmInstallUpgradeUninstall(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	watched := c.Namespace(t)
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	release := "gw"
	full := "gw-archway"
	class := ns // IngressClass is cluster-scoped: a name of this test's own
	sa := "system:serviceaccount:" + ns + ":" + full

	// --- install with defaults (plus a class name of our own) ---
	notes := helmRun(t, c, "install", release, chart, "-n", ns, "--set", "ingressClass.name="+class)
	// NOTES.txt tells how to declare a first route and read its status.
	for _, w := range []string{"kind: APIRoute", "ingressClassName: " + class, "kubectl get apiroutes -A",
		"kubectl describe apiroute web -n default", "port-forward svc/" + full} {
		if !strings.Contains(notes, w) {
			t.Errorf("helm install notes lack %q:\n%s", w, notes)
		}
	}
	rev1, n1 := manifest(t, c, release, ns, "rev1")
	if n1 != 9 {
		t.Fatalf("release manifest holds %d objects, want 9", n1)
	}
	got := strings.Fields(c.Kubectl(t, "get", "-f", rev1, "-o", "name"))
	if len(got) != n1 {
		t.Fatalf("kubectl get -f manifest: %d objects exist, the release has %d: %v", len(got), n1, got)
	}
	for _, want := range []string{
		"deployment.apps/" + full, "service/" + full, "serviceaccount/" + full,
		"clusterrole.rbac.authorization.k8s.io/" + full, "clusterrolebinding.rbac.authorization.k8s.io/" + full,
		"role.rbac.authorization.k8s.io/" + full + "-leader-election",
		"rolebinding.rbac.authorization.k8s.io/" + full + "-leader-election",
		"ingressclass.networking.k8s.io/" + class, "poddisruptionbudget.policy/" + full,
	} {
		if !contains(got, want) {
			t.Errorf("installed objects lack %s: %v", want, got)
		}
	}
	// The chart installed the CRD (or found it there).
	c.Kubectl(t, "get", "crd", crdName)

	jp := func(args ...string) string {
		t.Helper()
		return c.Kubectl(t, append(args, "-n", ns)...)
	}
	if v := jp("get", "deploy", full, "-o", "jsonpath={.spec.template.spec.containers[*].name}"); v != "controller proxy" {
		t.Errorf("containers: %q", v)
	}
	if v := jp("get", "deploy", full, "-o", "jsonpath={.spec.replicas}"); v != "2" {
		t.Errorf("replicas: %q", v)
	}
	args := jp("get", "deploy", full, "-o", `jsonpath={.spec.template.spec.containers[?(@.name=="controller")].args}`)
	for _, w := range []string{`"--publish-service","` + ns + "/" + full + `"`, `"--ingress-class","` + class + `"`, `"--log-level","info"`} {
		if !strings.Contains(args, w) {
			t.Errorf("controller args lack %s: %s", w, args)
		}
	}
	if v := jp("get", "deploy", full, "-o", `jsonpath={.spec.template.spec.containers[?(@.name=="proxy")].readinessProbe.httpGet.path}`); v != "/readyz" {
		t.Errorf("proxy readiness probe path: %q", v)
	}
	if v := jp("get", "svc", full, "-o", `jsonpath={.spec.type} {.spec.ports[*].port}`); v != "ClusterIP 80 443" {
		t.Errorf("service: %q", v)
	}
	if v := c.Kubectl(t, "get", "ingressclass", class, "-o", `jsonpath={.spec.controller} {.metadata.annotations.ingressclass\.kubernetes\.io/is-default-class}`); v != "archway.dev/ingress-controller true" {
		t.Errorf("ingressclass: %q", v)
	}

	// RBAC as the API server sees it: cluster-wide reads, status writes, Leases only here.
	perms := []struct {
		args []string
		want bool
	}{
		// Least privilege: Secrets are fetched by name, never listed or watched.
		{[]string{"get", "secrets", "-A"}, true},
		{[]string{"list", "secrets", "-A"}, false},
		{[]string{"watch", "secrets", "-A"}, false},
		{[]string{"list", "secrets", "-n", watched}, false},
		{[]string{"watch", "referencegrants.archway.dev", "-A"}, true},
		{[]string{"watch", "endpointslices.discovery.k8s.io", "-A"}, true},
		{[]string{"list", "ingressclasses.networking.k8s.io"}, true},
		{[]string{"patch", "apiroutes.archway.dev", "--subresource=status", "-n", watched}, true},
		{[]string{"update", "ingresses.networking.k8s.io", "--subresource=status", "-n", watched}, true},
		{[]string{"create", "events.events.k8s.io", "-n", watched}, true},
		{[]string{"create", "events", "-n", watched}, true},
		{[]string{"create", "leases.coordination.k8s.io", "-n", ns}, true},
		{[]string{"update", "leases.coordination.k8s.io", "-n", ns}, true},
		{[]string{"list", "leases.coordination.k8s.io", "-n", ns}, true},   // replicas' Leases
		{[]string{"delete", "leases.coordination.k8s.io", "-n", ns}, true}, // an expired replica's
		{[]string{"create", "leases.coordination.k8s.io", "-n", watched}, false},
		{[]string{"update", "apiroutes.archway.dev", "-n", watched}, false},
		{[]string{"create", "secrets", "-n", ns}, false},
		{[]string{"delete", "services", "-n", watched}, false},
		{[]string{"list", "pods", "-A"}, false},
	}
	for _, p := range perms {
		if got := canI(c, sa, p.args...); got != p.want {
			t.Errorf("can-i %v: got %v, want %v", p.args, got, p.want)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// --- upgrade: namespaced mode, 3 replicas, debug, not the default class ---
	helmRun(t, c, "upgrade", release, chart, "-n", ns, "--reuse-values",
		"--set", "replicaCount=3", "--set", "controller.logLevel=debug",
		"--set", "ingressClass.default=false", "--set", "watchNamespaces={"+watched+"}")
	var st struct {
		Version int `json:"version"`
		Info    struct {
			Status string `json:"status"`
		} `json:"info"`
	}
	if err := json.Unmarshal([]byte(helmRun(t, c, "status", release, "-n", ns, "-o", "json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Version != 2 || st.Info.Status != "deployed" {
		t.Errorf("release after upgrade: revision %d, status %q; want 2, deployed", st.Version, st.Info.Status)
	}
	rev2, n2 := manifest(t, c, release, ns, "rev2")
	if got := strings.Fields(c.Kubectl(t, "get", "-f", rev2, "-o", "name")); len(got) != n2 {
		t.Fatalf("after upgrade %d objects exist, the release has %d: %v", len(got), n2, got)
	}
	if v := jp("get", "deploy", full, "-o", "jsonpath={.spec.replicas}"); v != "3" {
		t.Errorf("replicas after upgrade: %q", v)
	}
	args = jp("get", "deploy", full, "-o", `jsonpath={.spec.template.spec.containers[?(@.name=="controller")].args}`)
	for _, w := range []string{`"--log-level","debug"`, `"--watch-namespace","` + watched + `"`} {
		if !strings.Contains(args, w) {
			t.Errorf("controller args after upgrade lack %s: %s", w, args)
		}
	}
	if v := c.Kubectl(t, "get", "ingressclass", class, "-o", `jsonpath={.metadata.annotations}`); strings.Contains(v, "is-default-class") {
		t.Errorf("ingressclass still default after upgrade: %s", v)
	}
	c.Kubectl(t, "get", "role,rolebinding", full, "-n", watched)
	perms = []struct {
		args []string
		want bool
	}{
		{[]string{"get", "secrets", "-n", watched}, true},
		{[]string{"list", "secrets", "-n", watched}, false},
		{[]string{"watch", "secrets", "-n", watched}, false},
		{[]string{"get", "secrets", "-n", "default"}, false},
		{[]string{"list", "secrets", "-A"}, false},
		{[]string{"list", "referencegrants.archway.dev", "-n", watched}, true},
		{[]string{"list", "referencegrants.archway.dev", "-n", "default"}, false},
		{[]string{"watch", "apiroutes.archway.dev", "-n", watched}, true},
		{[]string{"watch", "apiroutes.archway.dev", "-n", "default"}, false},
		{[]string{"patch", "ingresses.networking.k8s.io", "--subresource=status", "-n", watched}, true},
		{[]string{"list", "ingressclasses.networking.k8s.io"}, true},
		{[]string{"update", "leases.coordination.k8s.io", "-n", ns}, true},
	}
	for _, p := range perms {
		if got := canI(c, sa, p.args...); got != p.want {
			t.Errorf("after upgrade can-i %v: got %v, want %v", p.args, got, p.want)
		}
	}

	// --- uninstall: nothing is left but the CRD ---
	helmRun(t, c, "uninstall", release, "-n", ns, "--wait", "--timeout", "60s")
	for _, m := range []string{rev1, rev2} {
		if left := strings.TrimSpace(c.Kubectl(t, "get", "-f", m, "-o", "name", "--ignore-not-found")); left != "" {
			t.Errorf("left after uninstall: %s", left)
		}
	}
	c.Kubectl(t, "get", "crd", crdName)
	if out, err := c.Run("", "helm", "status", release, "-n", ns); err == nil {
		t.Errorf("helm status after uninstall succeeded: %s", out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Every golden rendering (tests/helm/golden) is accepted by the API server
// as it stands, with strict field validation: a misspelt field in a template
// branch that the install test does not take still fails here. ServiceMonitor
// and PodMonitor need the Prometheus Operator's CRDs, which this cluster
// lacks; they are left out.
func TestGoldenManifestsPassServerValidation(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	for _, ns := range []string{"archway-system", "shop", "billing", "monitoring"} {
		if _, err := c.TryKubectl("create", "namespace", ns); err != nil && !strings.Contains(err.Error(), "AlreadyExists") {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "tests", "helm", "golden", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var docs []string
			for _, d := range strings.Split(string(body), "\n---\n") {
				if strings.Contains(d, "\nkind: ServiceMonitor\n") || strings.Contains(d, "\nkind: PodMonitor\n") {
					continue
				}
				docs = append(docs, d)
			}
			out, err := c.Run(strings.Join(docs, "\n---\n"), "kubectl", "apply", "--dry-run=server", "--validate=strict", "-f", "-")
			if err != nil {
				t.Fatalf("server-side dry run: %v", err)
			}
			if n := strings.Count(out, "(server dry run)"); n != len(docs) {
				t.Errorf("%d of %d objects validated:\n%s", n, len(docs), out)
			}
		})
	}
}
