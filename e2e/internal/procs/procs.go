// Package procs starts the binaries under test (archway-proxy,
// archway-controller, backends) as child processes for e2e tests: output in
// a log file, killed when the test ends or when the test binary dies
// (PDEATHSIG), and the log's tail printed when the test failed.
package procs

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Proc is one started process.
type Proc struct {
	Cmd  *exec.Cmd
	Log  string // path of the file holding its stdout and stderr
	done chan struct{}
}

// Start runs bin with its output in logDir/name.log.
func Start(t testing.TB, name, logDir, bin string, args ...string) *Proc {
	t.Helper()
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Proc{Cmd: cmd, Log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logFile.Close(); close(p.done) }()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			if len(data) > 6000 {
				data = data[len(data)-6000:]
			}
			t.Logf("--- %s log (tail) ---\n%s", name, data)
		}
	})
	return p
}

// Kill stops the process at once and waits for it.
func (p *Proc) Kill() {
	select {
	case <-p.done:
	default:
		_ = p.Cmd.Process.Kill()
		<-p.done
	}
}

// Terminate sends SIGTERM and returns the exit code (-1 on timeout, after
// which the process is killed).
func (p *Proc) Terminate(timeout time.Duration) int {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.Cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		p.Kill()
		return -1
	}
}

// FreeLoopbackPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreeLoopbackPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
