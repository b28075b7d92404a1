// Package procs starts the binaries under test (archway-proxy,
// archway-controller, backends) as child processes for e2e tests: output in
// a log file, killed when the test ends or when the test binary dies
// (PDEATHSIG), and the log's tail printed when the test failed.
package procs

import (
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	return StartEnv(t, name, logDir, nil, bin, args...)
}

// StartEnv is Start with the environment env (nil: this process's own).
func StartEnv(t testing.TB, name, logDir string, env []string, bin string, args ...string) *Proc {
	t.Helper()
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = env
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

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
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

// FreeLoopbackPort returns a TCP port that was free on every address a
// moment ago. It is drawn below the kernel's ephemeral range: a port the
// kernel handed out (bind to :0) may be reused at once as the local port of
// an outgoing connection (kubectl, the controller), and a listener on
// 0.0.0.0 then fails with EADDRINUSE — a flake seen in e2e/controller.
func FreeLoopbackPort(t testing.TB) int {
	t.Helper()
	low := ephemeralLow()
	portMu.Lock()
	defer portMu.Unlock()
	if low > 11000 {
		for try := 0; try < 200; try++ {
			port := 10000 + rand.Intn(low-10000)
			if handedOut[port] {
				continue
			}
			ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
			if err != nil {
				continue
			}
			ln.Close()
			handedOut[port] = true
			return port
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

var (
	portMu    sync.Mutex
	handedOut = map[int]bool{} // never the same port twice in one test binary
)

// ephemeralLow is the first port of net.ipv4.ip_local_port_range (0 when unknown).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return 0
	}
	return n
}
