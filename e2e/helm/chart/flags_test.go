package chart

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildDir is the CMake build folder with the two binaries.
func buildDir(t *testing.T) string {
	if d := os.Getenv("ARCHWAY_BUILD_DIR"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(t), "build")
}

// containerArgs reads, from `helm template` output, the args of each
// container whose command is /usr/local/bin/NAME: NAME → its args.
func containerArgs(manifest string) map[string][]string {
	out := map[string][]string{}
	lines := strings.Split(manifest, "\n")
	indent := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		name, ok := strings.CutPrefix(l, `command: ["/usr/local/bin/`)
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, `"]`)
		i++
		for i < len(lines) && strings.TrimSpace(lines[i]) != "args:" {
			i++
		}
		if i == len(lines) {
			break
		}
		at := indent(lines[i])
		args := []string{}
		for i++; i < len(lines) && indent(lines[i]) > at; i++ {
			item, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "- ")
			if !ok {
				break
			}
			if unquoted, err := strconv.Unquote(item); err == nil {
				item = unquoted
			}
			args = append(args, item)
		}
		out[name] = args
	}
	return out
}

// TestEveryFlagTheChartPassesIsDefined runs each binary with the args the
// chart renders for it (every values case) plus --help: the binary parses
// all of them first and refuses an unknown flag, so a chart value that maps
// to a flag the binaries lack (like --redis-address did) fails here rather
// than in a crash-looping pod.
func TestEveryFlagTheChartPassesIsDefined(t *testing.T) {
	chart := filepath.Join(repoRoot(t), "helm", "archway")
	build := buildDir(t)
	binaries := map[string]string{
		"archway-controller": filepath.Join(build, "controller", "archway-controller"),
		"archway-proxy":      filepath.Join(build, "proxy", "archway-proxy"),
	}
	for _, bin := range binaries {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%v: build it (make build) or set ARCHWAY_BUILD_DIR", err)
		}
	}
	for _, values := range cases(t, "cases") {
		name := strings.TrimSuffix(filepath.Base(values), ".yaml")
		t.Run(name, func(t *testing.T) {
			out, errOut, err := helm(t, "template", release, chart, "--namespace", namespace, "-f", values,
				"--show-only", "templates/deployment.yaml")
			if err != nil {
				t.Fatalf("helm template: %v\n%s", err, errOut)
			}
			rendered := containerArgs(out)
			for binary, path := range binaries {
				args, ok := rendered[binary]
				if !ok {
					t.Fatalf("no container runs %s in:\n%s", binary, out)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				got, err := exec.CommandContext(ctx, path, append(args, "--help")...).CombinedOutput()
				cancel()
				if err != nil {
					t.Errorf("%s %s --help: %v\n%s", binary, strings.Join(args, " "), err, got)
				}
			}
		})
	}
}
