// Package smoke checks that the e2e control plane and tools work: a real
// kube-apiserver with RBAC and service-account tokens, kubectl, helm and
// h2spec, as built by e2e/tools/ensure.sh.
package smoke

import (
	"os"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

func TestCRDAndNamespace(t *testing.T) {
	c := cluster.Shared(t)
	c.Kubectl(t, "apply", "-f", "testdata/placeholder-crd.yaml")
	if err := c.WaitCondition("", "crd/placeholders.smoke.archway.dev", "Established", 30*time.Second); err != nil {
		t.Fatal(err)
	}

	ns := c.Namespace(t)
	if phase := c.Kubectl(t, "get", "namespace", ns, "-o", "jsonpath={.status.phase}"); phase != "Active" {
		t.Fatalf("namespace %s phase = %q, want Active", ns, phase)
	}

	res := c.Kubectl(t, "api-resources", "--api-group=smoke.archway.dev", "-o", "wide", "--no-headers")
	fields := strings.Fields(res)
	// NAME SHORTNAMES APIVERSION NAMESPACED KIND VERBS...
	if len(fields) < 5 || fields[0] != "placeholders" || fields[1] != "ph" ||
		fields[2] != "smoke.archway.dev/v1alpha1" || fields[3] != "true" || fields[4] != "Placeholder" {
		t.Fatalf("api-resources for smoke.archway.dev:\n%s", res)
	}

	c.Apply(t, ns, `
apiVersion: smoke.archway.dev/v1alpha1
kind: Placeholder
metadata: {name: first}
spec: {replicas: 3}
`)
	if got := c.Kubectl(t, "get", "ph", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}:{.items[*].spec.replicas}"); got != "first:3" {
		t.Fatalf("kubectl get ph = %q, want first:3", got)
	}
	// The other namespaces see none of it.
	if got := c.Kubectl(t, "get", "ph", "-n", "default", "-o", "name"); got != "" {
		t.Fatalf("default namespace has placeholders: %q", got)
	}
	// The API server enforces the CRD's schema.
	_, err := c.Run("apiVersion: smoke.archway.dev/v1alpha1\nkind: Placeholder\nmetadata: {name: bad}\nspec: {replicas: 11}\n",
		"kubectl", "apply", "-n", ns, "-f", "-")
	if err == nil || !strings.Contains(err.Error(), "spec.replicas") {
		t.Fatalf("apply with spec.replicas=11: err = %v, want a rejection naming spec.replicas", err)
	}
}

func TestTools(t *testing.T) {
	c := cluster.Shared(t)
	out, err := c.Run("", "h2spec", "--help")
	if err != nil || !strings.Contains(out, "Conformance testing tool for HTTP/2") {
		t.Fatalf("h2spec --help: %v\n%s", err, out)
	}
	out = strings.TrimSpace(c.Kubectl(t, "version", "-o", "json"))
	if !strings.Contains(out, `"gitVersion": "v1.34.`) || !strings.Contains(out, `"serverVersion"`) {
		t.Fatalf("kubectl version: want client and server v1.34.x:\n%s", out)
	}
	out, err = c.Run("", "helm", "version", "--short")
	if err != nil || !strings.HasPrefix(out, "v3.") {
		t.Fatalf("helm version --short = %q, %v", out, err)
	}
	// helm reaches the API server through the same kubeconfig.
	ns := c.Namespace(t)
	if _, err := c.Run("", "helm", "list", "-n", ns); err != nil {
		t.Fatal(err)
	}
}

func TestAdminCanDoAnything(t *testing.T) {
	c := cluster.Shared(t)
	list := c.Kubectl(t, "auth", "can-i", "--list")
	found := false
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "*.*" && f[len(f)-1] == "[*]" {
			found = true
		}
	}
	if !found {
		t.Fatalf("kubectl auth can-i --list as admin has no '*.* ... [*]' rule:\n%s", list)
	}
	if got := strings.TrimSpace(c.Kubectl(t, "auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}")); !strings.Contains(got, "system:masters") {
		t.Fatalf("admin groups = %s, want system:masters", got)
	}
}

func TestServiceAccountTokenIsLimitedByRBAC(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	c.Kubectl(t, "create", "serviceaccount", "reader", "-n", ns)
	c.Kubectl(t, "create", "configmap", "visible", "-n", ns, "--from-literal=k=v")
	token := strings.TrimSpace(c.Kubectl(t, "create", "token", "reader", "-n", ns, "--duration=10m"))
	kc := c.TokenKubeconfig(t, token)
	asReader := func(args ...string) (string, error) {
		return c.Run("", "kubectl", append([]string{"--kubeconfig", kc}, args...)...)
	}

	who, err := asReader("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
	if err != nil || who != "system:serviceaccount:"+ns+":reader" {
		t.Fatalf("token authenticates as %q (%v), want system:serviceaccount:%s:reader", who, err, ns)
	}
	// Authenticated, but nothing is granted yet.
	if _, err := asReader("get", "configmaps", "-n", ns); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("list configmaps before any RoleBinding: err = %v, want Forbidden", err)
	}

	c.Kubectl(t, "create", "role", "configmap-reader", "-n", ns, "--verb=get,list", "--resource=configmaps")
	c.Kubectl(t, "create", "rolebinding", "reader", "-n", ns, "--role=configmap-reader", "--serviceaccount="+ns+":reader")

	// RBAC reads bindings from an informer cache: allow it a moment.
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := asReader("get", "configmaps", "-n", ns, "-o", "jsonpath={.items[*].metadata.name}")
		if err == nil {
			if !strings.Contains(out, "visible") {
				t.Fatalf("allowed list of configmaps = %q, want it to include visible", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("list configmaps after RoleBinding: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	_, err = asReader("get", "secrets", "-n", ns)
	if err == nil || !strings.Contains(err.Error(), "Forbidden") ||
		!strings.Contains(err.Error(), `"system:serviceaccount:`+ns+`:reader" cannot list resource "secrets"`) {
		t.Fatalf("list secrets: err = %v, want Forbidden for the service account", err)
	}
	_, err = asReader("get", "configmaps", "-n", "default")
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Fatalf("list configmaps in another namespace: err = %v, want Forbidden", err)
	}
}

// The controller-manager runs: a new namespace gets its default
// ServiceAccount, and a deleted one is emptied and goes away.
func TestNamespaceLifecycle(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := c.TryKubectl("get", "serviceaccount", "default", "-n", ns); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("namespace %s has no default ServiceAccount after 30s: %v", ns, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.Kubectl(t, "create", "configmap", "doomed", "-n", ns)
	start := time.Now()
	c.Kubectl(t, "delete", "namespace", ns, "--timeout=60s")
	if out, err := c.TryKubectl("get", "namespace", ns); err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Fatalf("namespace %s still there after delete: %s %v", ns, out, err)
	}
	t.Logf("namespace deleted in %v", time.Since(start).Round(time.Millisecond))
}
