// Package chart checks the Helm chart without a cluster: the CRD copy, `helm
// lint --strict`, golden `helm template` output and values the chart must
// refuse. It reads the same cases as tests/helm/run.sh:
//
//	tests/helm/cases/NAME.yaml   values → tests/helm/golden/NAME.yaml
//	tests/helm/invalid/NAME.yaml values that fail, first line "# expect: TEXT"
//
// UPDATE_GOLDEN=1 go test ./helm/chart rewrites the golden files.
package chart

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

const (
	release   = "archway"
	namespace = "archway-system"
)

// repoRoot is two folders above the e2e module root.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "helm", "archway", "Chart.yaml")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no helm/archway/Chart.yaml above the working directory")
		}
		dir = parent
	}
}

// helm runs the helm binary that e2e/tools/ensure.sh built, with its state in
// a temporary folder, and returns stdout, stderr and the error.
func helm(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	bin, err := cluster.ToolsBin()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "helm"), args...)
	state := t.TempDir()
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(state, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(state, "config"),
		"HELM_DATA_HOME="+filepath.Join(state, "data"),
		"KUBECONFIG="+filepath.Join(state, "no-kubeconfig"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestCRDCopyIsIdentical(t *testing.T) {
	root := repoRoot(t)
	for _, crd := range []struct {
		file     string
		minBytes int
	}{{"apiroutes.archway.dev.yaml", 10000}, {"referencegrants.archway.dev.yaml", 1000}} {
		src, err := os.ReadFile(filepath.Join(root, "crds", crd.file))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := os.ReadFile(filepath.Join(root, "helm", "archway", "crds", crd.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, cp) {
			t.Fatalf("helm/archway/crds/%s differs from crds/%s; run python3 crds/generate.py", crd.file, crd.file)
		}
		if len(src) < crd.minBytes || !bytes.Contains(src, []byte("kind: CustomResourceDefinition")) {
			t.Fatalf("crds/%s does not look like the CRD (%d bytes)", crd.file, len(src))
		}
	}
}

func cases(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "tests", "helm", dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no cases in tests/helm/%s", dir)
	}
	return files
}

func TestLintStrict(t *testing.T) {
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	for _, values := range cases(t, "cases") {
		name := strings.TrimSuffix(filepath.Base(values), ".yaml")
		t.Run(name, func(t *testing.T) {
			out, errOut, err := helm(t, "lint", "--strict", chart, "--namespace", namespace, "-f", values)
			if err != nil {
				t.Fatalf("helm lint --strict: %v\n%s%s", err, out, errOut)
			}
		})
	}
}

func TestTemplateGolden(t *testing.T) {
	root := repoRoot(t)
	chart := filepath.Join(root, "helm", "archway")
	update := os.Getenv("UPDATE_GOLDEN") == "1"
	for _, values := range cases(t, "cases") {
		name := strings.TrimSuffix(filepath.Base(values), ".yaml")
		t.Run(name, func(t *testing.T) {
			out, errOut, err := helm(t, "template", release, chart, "--namespace", namespace, "-f", values)
			if err != nil {
				t.Fatalf("helm template: %v\n%s", err, errOut)
			}
			// run.sh writes the output with one trailing newline ($(...) strips them).
			got := strings.TrimRight(out, "\n") + "\n"
			golden := filepath.Join(root, "tests", "helm", "golden", name+".yaml")
			if update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
			}
			if got != string(want) {
				t.Errorf("helm template differs from tests/helm/golden/%s.yaml (UPDATE_GOLDEN=1 to accept):\n%s",
					name, firstDifference(string(want), got))
			}
		})
	}
}

// firstDifference shows the first differing line with a little context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl || i >= len(w) || i >= len(g) {
			from := max(0, i-3)
			ctx := strings.Join(w[from:min(i, len(w))], "\n")
			return "line " + strconv.Itoa(i+1) + ":\n" + ctx + "\n- " + wl + "\n+ " + gl
		}
	}
	return "(same lines, different line endings)"
}

func TestInvalidValuesAreRefused(t *testing.T) {
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	for _, values := range cases(t, "invalid") {
		name := strings.TrimSuffix(filepath.Base(values), ".yaml")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(values)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(body), "\n")
			expect, ok := strings.CutPrefix(first, "# expect: ")
			if !ok || expect == "" {
				t.Fatalf("first line must be '# expect: TEXT', got %q", first)
			}
			_, errOut, err := helm(t, "template", release, chart, "--namespace", namespace, "-f", values)
			if err == nil {
				t.Fatal("helm template accepted the values")
			}
			if !strings.Contains(errOut, expect) {
				t.Fatalf("error lacks %q:\n%s", expect, errOut)
			}
		})
	}
}
