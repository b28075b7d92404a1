package controllere2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// trailingComment is a YAML comment after a value; the example quotes no
// value holding " #".
var trailingComment = regexp.MustCompile(`\s+#.*$`)

// withoutComments is a YAML document without its comments and blank lines.
func withoutComments(doc string) string {
	var kept []string
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if line = strings.TrimRight(trailingComment.ReplaceAllString(line, ""), " "); line != "" {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// TestGatewayExampleDocShowsTheExampleFile: the route that
// docs/gateway-example.md explains is examples/gateway.yaml, line for
// line but for the file's comments, so the walkthrough cannot drift from
// what make run and the e2e test apply.
func TestGatewayExampleDocShowsTheExampleFile(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(repoRoot(), "examples", "gateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot(), "docs", "gateway-example.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, found := strings.Cut(string(doc), "```yaml\n")
	if block, _, _ = strings.Cut(block, "```"); !found {
		t.Fatal("docs/gateway-example.md has no ```yaml block")
	}
	if got, want := withoutComments(block), withoutComments(string(example)); got != want {
		t.Errorf("docs/gateway-example.md shows\n%s\n\nbut examples/gateway.yaml is\n%s", got, want)
	}
}
