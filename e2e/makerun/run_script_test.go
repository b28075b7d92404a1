// Package makerun runs scripts/run.sh, what `make run` runs, end to end as a
// new user would: from an empty state folder to the printed curl lines and
// their answers, then `scripts/run.sh stop`, which must leave nothing
// running. It uses its own state folder and free ports, so it runs beside
// the other e2e packages and beside a developer's own `make run`.
//
// Environment: ARCHWAY_BUILD_DIR (the CMake build folder; default build),
// ARCHWAY_TOOLS_BIN (as for every e2e package).
package makerun

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/procs"
)

const (
	// From an empty state: a control plane, an echo backend build, the
	// CRD, the controller's first push; minutes on a busy 2-core machine.
	startTimeout = 6 * time.Minute
	stopTimeout  = 90 * time.Second
	lastLine     = "Ctrl-C stops everything"
)

func repoRoot() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}

func buildDir() string {
	if d := os.Getenv("ARCHWAY_BUILD_DIR"); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs // run.sh reads a relative BUILD from the repository root
		}
		return d
	}
	return filepath.Join(repoRoot(), "build")
}

// transcript collects the script's output as it arrives and signals when a
// line containing `want` has been printed.
type transcript struct {
	mu    sync.Mutex
	lines []string
	seen  chan struct{}
}

func (tr *transcript) read(r io.Reader, want string) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	signalled := false
	for s.Scan() {
		tr.mu.Lock()
		tr.lines = append(tr.lines, s.Text())
		tr.mu.Unlock()
		if !signalled && strings.Contains(s.Text(), want) {
			close(tr.seen)
			signalled = true
		}
	}
}

func (tr *transcript) all() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.lines...)
}

func (tr *transcript) String() string { return strings.Join(tr.all(), "\n") }

// tries returns each "  $ COMMAND" line after "Try:" with the answer lines
// printed under it (indented by four spaces), in order.
func tries(lines []string) (commands []string, answers []string) {
	in := false
	for _, l := range lines {
		switch {
		case strings.TrimSpace(l) == "Try:":
			in = true
		case !in:
		case strings.HasPrefix(l, "  $ "):
			commands = append(commands, strings.TrimPrefix(l, "  $ "))
			answers = append(answers, "")
		case strings.HasPrefix(l, "    ") && len(answers) > 0:
			answers[len(answers)-1] += strings.TrimPrefix(l, "    ") + "\n"
		case strings.HasPrefix(l, "Edit examples"):
			return commands, answers
		}
	}
	return commands, answers
}

// processesNaming lists live processes whose command line contains s.
func processesNaming(s string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(s)) {
			continue
		}
		found = append(found, e.Name()+" "+string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
	}
	return found
}

func TestRunScriptServesTheExamplesAndStopsCleanly(t *testing.T) {
	tools, err := cluster.ToolsBin()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(repoRoot(), "scripts", "run.sh")
	runDir := t.TempDir()
	ports := []int{procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t),
		procs.FreeLoopbackPort(t), procs.FreeLoopbackPort(t)}
	env := append(os.Environ(),
		"ARCHWAY_TOOLS_BIN="+tools,
		"BUILD="+buildDir(),
		"ARCHWAY_RUN_DIR="+runDir,
		"ARCHWAY_HTTP_PORT="+strconv.Itoa(ports[0]),
		"ARCHWAY_HTTPS_PORT="+strconv.Itoa(ports[1]),
		"ARCHWAY_ADMIN_PORT="+strconv.Itoa(ports[2]),
		"ARCHWAY_HYDRA_PORT="+strconv.Itoa(ports[3]),
		"ARCHWAY_HYDRA_ADMIN_PORT="+strconv.Itoa(ports[4]))

	stopScript := func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", script, "stop")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	cmd := exec.Command("bash", script)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := &transcript{seen: make(chan struct{})}
	readDone := make(chan struct{})
	go func() { out.read(pipe, lastLine); close(readDone) }()
	exited := make(chan error, 1)
	go func() { <-readDone; exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if stopped {
			return
		}
		if o, err := stopScript(); err != nil {
			t.Logf("run.sh stop: %v\n%s", err, o)
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})

	select {
	case <-out.seen:
	case err := <-exited:
		stopped = true
		t.Fatalf("run.sh exited before printing the curl lines (%v):\n%s", err, out)
	case <-time.After(startTimeout):
		t.Fatalf("run.sh printed no %q within %v:\n%s", lastLine, startTimeout, out)
	}

	// What the user reads: each curl line and the answer under it.
	host := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	// examples/gateway.yaml: orders-app's token from Hydra (on a port other
	// than the example's, so the script's patch is tried too), then calls
	// that spend its minute.
	gateway := fmt.Sprintf("-H 'Host: gateway.localtest.me' -H \"Authorization: Bearer $TOKEN\" %s/v1/orders/123", host)
	tokenURL := fmt.Sprintf("http://127.0.0.1:%d/oauth2/token", ports[3])
	want := []struct {
		command  string   // a part of the printed command
		contains []string // parts of its answer
	}{
		{host + "/api/hello", []string{`"name":"blue"`, `"path":"/api/hello"`}},
		{host + "/v1/orders/42", []string{`"name":"green"`, `"path":"/orders/42"`}},
		{host + "/old?page=2", []string{"HTTP/1.1 301", "location: http://api.localtest.me/api?page=2"}},
		{"Host: www.localtest.me", []string{`"name":"blue"`, `"path":"/"`}},
		{"Host: anything.else", []string{`"name":"green"`, `"path":"/"`}},
		{"-d scope=orders:read " + tokenURL, []string{`{"access_token":"ey`}},
		{"TOKEN=$(", nil},
		{"-o /dev/null " + gateway, []string{"HTTP/1.1 200", "x-cache: MISS", `ratelimit: "default";r=59;`}},
		{"-o /dev/null " + gateway, []string{"HTTP/1.1 200", "x-cache: HIT", "cache-status: archway; hit"}},
		{"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-", []string{`"Traceparent":["00-4bf92f3577b34da6a3ce929d0e0e4736-`}},
		{fmt.Sprintf("-D - -H 'Host: gateway.localtest.me' %s/v1/orders/123", host), []string{"HTTP/1.1 401", "www-authenticate: Bearer"}},
		{"NOSCOPE=$(", nil},
		{"Bearer $NOSCOPE", []string{"HTTP/1.1 403", `www-authenticate: Bearer error="insufficient_scope"`}},
		{"?n=[1-61]", []string{" 200\n", " 429\n"}},
		{"-D - " + gateway, []string{"HTTP/1.1 429", "retry-after: ", `ratelimit: "default";r=0;`}},
	}
	commands, answers := tries(out.all())
	if len(commands) != len(want) {
		t.Fatalf("printed %d curl lines, want %d:\n%s", len(commands), len(want), out)
	}
	for i, w := range want {
		if !strings.Contains(commands[i], w.command) {
			t.Errorf("curl line %d = %q, want it to contain %q", i+1, commands[i], w.command)
			continue
		}
		for _, part := range w.contains {
			if !strings.Contains(strings.ToLower(answers[i]), strings.ToLower(part)) {
				t.Errorf("$ %s\nanswered:\n%s\nwant it to contain %q", commands[i], answers[i], part)
			}
		}
	}

	// Stop as the script says, and check that nothing is left.
	stopped = true
	o, err := stopScript()
	if err != nil || !strings.Contains(o, "archway: stopped") {
		t.Errorf("run.sh stop: %v\n%s", err, o)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("run.sh exited with %v after run.sh stop, want 0", err)
		}
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		t.Errorf("run.sh still running 30s after run.sh stop")
	}
	if left := processesNaming(runDir + "/"); len(left) > 0 {
		t.Errorf("processes left after run.sh stop:\n%s", strings.Join(left, "\n"))
	}
	for _, p := range ports {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Errorf("port %d still taken after run.sh stop: %v", p, err)
			continue
		}
		ln.Close()
	}
	for _, gone := range []string{"cluster", "run.pid"} {
		if _, err := os.Stat(filepath.Join(runDir, gone)); err == nil {
			t.Errorf("%s/%s still exists after run.sh stop", runDir, gone)
		}
	}
	if t.Failed() {
		t.Logf("run.sh output:\n%s", out)
	}
}
