package helm

import (
	"path/filepath"
	"strings"
	"testing"

	"archway.dev/e2e/cluster"
)

// TestInstallRefusesRedisAddress: global rate limits (and so Redis) are not
// in the binaries yet, so the chart offers no redis key; `helm install --set
// redis.address=...` is refused by the values schema before anything is
// created, instead of rendering a flag that stops the controller.
func TestInstallRefusesRedisAddress(t *testing.T) {
	c := cluster.Shared(t)
	ns := c.Namespace(t)
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	out, err := c.Run("", "helm", "install", "rl", chart, "-n", ns,
		"--set", "ingressClass.name="+ns, "--set", "redis.address=redis.cache.svc:6379")
	if err == nil {
		t.Fatalf("helm install --set redis.address succeeded:\n%s", out)
	}
	if msg := err.Error(); !strings.Contains(msg, "additional properties 'redis' not allowed") {
		t.Fatalf("helm install --set redis.address: error lacks the schema's refusal of redis:\n%s", msg)
	}
	if list := strings.TrimSpace(c.Kubectl(t, "get", "deployments", "-n", ns, "-o", "name")); list != "" {
		t.Fatalf("the refused install created %s", list)
	}
	if releases, err := c.Run("", "helm", "list", "-q", "-n", ns); err != nil || strings.TrimSpace(releases) != "" {
		t.Fatalf("helm list after the refused install: %q %v", releases, err)
	}
}
