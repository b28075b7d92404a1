package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Tools is every binary that e2e/tools/ensure.sh builds and ToolsBin
// requires. hydra, which it also builds, is left out: e2e/internal/hydra
// looks for it on its own, so that its tests alone fail (or skip, with
// ARCHWAY_SKIP_HYDRA) when an older tools folder lacks it.
var Tools = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "helm", "h2spec"}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// ToolsBin returns the folder that holds the tool binaries: $ARCHWAY_TOOLS_BIN
// when set (the Makefile sets it from ensure.sh's output), otherwise the
// output of e2e/tools/ensure.sh, which this runs once per test binary (it
// builds the tools on first use: many minutes on a cold cache).
func ToolsBin() (string, error) {
	binOnce.Do(func() {
		binDir, binErr = findToolsBin()
		if binErr != nil {
			return
		}
		for _, t := range Tools {
			if _, err := os.Stat(filepath.Join(binDir, t)); err != nil {
				binErr = fmt.Errorf("tools folder %s lacks %s (run e2e/tools/ensure.sh): %w", binDir, t, err)
				return
			}
		}
	})
	return binDir, binErr
}

func findToolsBin() (string, error) {
	if dir := os.Getenv("ARCHWAY_TOOLS_BIN"); dir != "" {
		return filepath.Abs(dir)
	}
	script, err := findEnsureScript()
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr // build progress, if it builds
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w", script, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1], nil
}

// findEnsureScript walks up from the working directory (go test runs in the
// package folder) to the archway.dev/e2e module root.
func findEnsureScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module archway.dev/e2e\n")) {
			return filepath.Join(dir, "tools", "ensure.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("ARCHWAY_TOOLS_BIN is unset and no archway.dev/e2e module is above the working directory to find tools/ensure.sh")
		}
		dir = parent
	}
}
