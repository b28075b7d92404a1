package procs

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildMu sync.Mutex
	built   = map[string]builtBinary{}
)

type builtBinary struct {
	path string
	err  error
}

// GoBinary builds the main package pkg (an import path of this module,
// e.g. "archway.dev/e2e/cmd/test-backend") once per test binary, into a
// temporary folder, and returns the binary's path.
func GoBinary(t testing.TB, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	b, ok := built[pkg]
	if !ok {
		b = buildGo(pkg)
		built[pkg] = b
	}
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func buildGo(pkg string) builtBinary {
	dir, err := os.MkdirTemp("", "archway-"+path.Base(pkg)+"-")
	if err != nil {
		return builtBinary{err: err}
	}
	out := filepath.Join(dir, path.Base(pkg))
	if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		return builtBinary{err: fmt.Errorf("go build %s: %v: %s", pkg, err, msg)}
	}
	return builtBinary{path: out}
}
