package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"archway.dev/e2e/cluster"
)

// Every complete object in a ```yaml block of the user docs (a block with
// apiVersion and kind) is accepted by the API server, so the examples users
// copy do work. Rule-level fragments are covered by testdata/apiroute-full.yaml.
func TestDocsExamplesAreValid(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	root := repoRoot(t)
	checked := 0
	for _, doc := range []string{"apiroute.md", "ingress.md", "install.md", "migration.md"} {
		body, err := os.ReadFile(filepath.Join(root, "docs", doc))
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range yamlBlocks(string(body)) {
			if !strings.Contains(block, "apiVersion:") || !strings.Contains(block, "kind:") {
				continue
			}
			checked++
			// Examples name their own namespace; the test's replaces it.
			block = strings.ReplaceAll(block, "namespace: shop", "namespace: "+ns)
			block = strings.ReplaceAll(block, "namespace: default", "namespace: "+ns)
			if _, err := c.Run(block, "kubectl", "apply", "--dry-run=server", "--validate=strict", "-n", ns, "-f", "-"); err != nil {
				t.Errorf("docs/%s, yaml block %d: %v\n%s", doc, i+1, err, block)
			}
		}
	}
	t.Logf("%d example objects validated", checked)
	if checked < 4 {
		t.Fatalf("only %d complete objects found in the docs; the extraction is broken", checked)
	}
}

// yamlBlocks returns the bodies of ```yaml fenced blocks, and of ```sh blocks'
// heredocs (kubectl apply -f - <<'YAML' ... YAML).
func yamlBlocks(md string) []string {
	var out []string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		switch {
		case strings.TrimSpace(lines[i]) == "```yaml":
			var b []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				b = append(b, lines[i])
			}
			out = append(out, strings.Join(b, "\n"))
		case strings.HasSuffix(strings.TrimSpace(lines[i]), "<<'YAML'"):
			var b []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "YAML"; i++ {
				b = append(b, lines[i])
			}
			out = append(out, strings.Join(b, "\n"))
		}
	}
	return out
}
