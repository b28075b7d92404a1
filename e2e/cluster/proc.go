package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// process is one daemon of the control plane, with its log in Dir/NAME.log
// (appended to when the daemon is started again) and its PID in Dir/NAME.pid.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // Wait's result, valid after done
}

// The daemons get PR_SET_PDEATHSIG=SIGKILL, so they die with the test
// binary even when it never runs its cleanups (a `go test -timeout` panic,
// SIGKILL). Linux sends that signal when the *thread* that forked the child
// exits, so every daemon is forked from one goroutine that locks its OS
// thread and never returns: that thread lives as long as the process.
var (
	spawnOnce sync.Once
	spawnReq  chan spawnCall
)

type spawnCall struct {
	cmd *exec.Cmd
	err chan error
}

func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnReq = make(chan spawnCall)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread must not exit
			for c := range spawnReq {
				c.err <- c.cmd.Start()
			}
		}()
	})
	call := spawnCall{cmd: cmd, err: make(chan error, 1)}
	spawnReq <- call
	return <-call.err
}

var errStopped = errors.New("control plane stopped")

// startProcess starts the daemon name and records it in c.procs, under c.mu
// so that Stop, which kills what c.procs holds, never misses one: once Stop
// has begun it refuses with errStopped.
func (c *Cluster) startProcess(name string, args ...string) (*process, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil, fmt.Errorf("start %s: %w", name, errStopped)
	}
	logPath := filepath.Join(c.Dir, name+".log")
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(c.Bin, name), args...)
	cmd.Dir = c.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = c.env()
	// Own process group: a Ctrl-C at the terminal reaches the test binary,
	// which stops the daemons in order, rather than racing it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := spawn(cmd); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	c.procs = append(c.procs, p)
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	pid := strconv.Itoa(cmd.Process.Pid)
	if err := os.WriteFile(filepath.Join(c.Dir, name+".pid"), []byte(pid+"\n"), 0o644); err != nil {
		return p, err
	}
	return p, nil
}

// exited reports whether p has exited, with the reason.
func (p *process) exited() error {
	select {
	case <-p.done:
		if p.err == nil {
			return fmt.Errorf("%s exited with status 0", p.name)
		}
		return fmt.Errorf("%s exited: %w", p.name, p.err)
	default:
		return nil
	}
}

// kill sends SIGKILL to the process group of p and waits (bounded) for it to
// be reaped. The control plane's state is thrown away with Dir, so there is
// nothing a graceful shutdown would save.
func (p *process) kill() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	pid := p.cmd.Process.Pid
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s (pid %d) still running 10s after SIGKILL", p.name, pid)
	}
}

// terminate sends SIGTERM to the process group of p (and SIGCONT, in case a
// test froze it) and waits up to grace for it to exit; then it sends SIGTERM
// again (Kubernetes daemons exit at once on a second signal) and waits up to
// timeout; after that it kills p and reports the timeout.
func (p *process) terminate(grace, timeout time.Duration) error {
	pid := p.cmd.Process.Pid
	signal := func(sig syscall.Signal) {
		if err := syscall.Kill(-pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			_ = p.cmd.Process.Signal(sig)
		}
	}
	for i, wait := range []time.Duration{grace, timeout} {
		select {
		case <-p.done:
			return nil
		default:
		}
		signal(syscall.SIGTERM)
		if i == 0 {
			signal(syscall.SIGCONT)
		}
		select {
		case <-p.done:
			return nil
		case <-time.After(wait):
		}
	}
	return errors.Join(fmt.Errorf("%s (pid %d) still running %v after a second SIGTERM; killed", p.name, pid, timeout), p.kill())
}

// logTail returns the last n lines of p's log, for error messages.
func (p *process) logTail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
