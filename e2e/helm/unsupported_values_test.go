package helm

import (
	"path/filepath"
	"strings"
	"testing"

	"archway.dev/e2e/cluster"
)

// TestInstallRefusesARedisAddressWithoutAPort: `helm install --set
// redis.address=...` with no port is refused by the values schema before
// anything is created, instead of rendering a flag the proxy refuses at
// start (a crash-looping pod).
func TestInstallRefusesARedisAddressWithoutAPort(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	out, err := c.Run("", "helm", "install", "rl", chart, "-n", ns,
		"--set", "ingressClass.name="+ns, "--set", "redis.address=redis.cache.svc")
	if err == nil {
		t.Fatalf("helm install --set redis.address succeeded:\n%s", out)
	}
	if msg := err.Error(); !strings.Contains(msg, "/redis/address") {
		t.Fatalf("helm install --set redis.address: error lacks the schema's refusal of the address:\n%s", msg)
	}
	if list := strings.TrimSpace(c.Kubectl(t, "get", "deployments", "-n", ns, "-o", "name")); list != "" {
		t.Fatalf("the refused install created %s", list)
	}
	if releases, err := c.Run("", "helm", "list", "-q", "-n", ns); err != nil || strings.TrimSpace(releases) != "" {
		t.Fatalf("helm list after the refused install: %q %v", releases, err)
	}
}
