// Package cluster runs a real Kubernetes control plane on loopback for
// end-to-end tests: etcd, kube-apiserver (RBAC on, service-account tokens
// signed) and, by default, kube-controller-manager, from the binaries that
// e2e/tools/ensure.sh builds. There are no nodes: nothing schedules or runs
// Pods.
//
// A test package shares one control plane, started by its TestMain, and each
// test works in a namespace of its own:
//
//	func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }
//
//	func TestRoutes(t *testing.T) {
//		c := cluster.Shared(t)
//		ns := c.Namespace(t)
//		c.Kubectl(t, "-n", ns, "apply", "-f", "testdata/route.yaml")
//	}
//
// Start gives a test a control plane of its own instead, for tests that
// change cluster-wide state that others would see.
package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Options choose what runs besides etcd and kube-apiserver.
type Options struct {
	// ControllerManager runs kube-controller-manager too, so that namespaces
	// finish deleting, the garbage collector honours ownerReferences,
	// Deployments get ReplicaSets and every namespace gets its "default"
	// ServiceAccount, as in a real cluster.
	ControllerManager bool
	// ReadyTimeout bounds the wait for each daemon; 0 means 90s.
	ReadyTimeout time.Duration
	// APIServerArgs are added after kube-apiserver's own flags (a repeated
	// flag takes the later value), e.g. "--watch-cache=false" so that a
	// watch reads etcd directly and an etcd compaction answers 410 Gone.
	APIServerArgs []string
}

// DefaultOptions is what Main uses.
var DefaultOptions = Options{ControllerManager: true}

// Cluster is one running control plane.
type Cluster struct {
	Dir        string // private folder: certs, etcd data, logs, PIDs, kubeconfig; removed by Stop
	Bin        string // folder with the tool binaries
	Kubeconfig string // admin kubeconfig: client cert in group system:masters
	Server     string // https://127.0.0.1:PORT
	CAFile     string // PEM of the CA that signed the serving cert (and client certs)
	EtcdURL    string // http://127.0.0.1:PORT

	pki           *pkiFiles
	opts          Options
	apiserverArgs []string // kept for StartAPIServer: the same flags, port and certificates

	mu        sync.Mutex // guards procs, apiserver and stopped
	procs     []*process // in start order; Stop kills them in reverse
	apiserver *process   // the current kube-apiserver, running or stopped
	stopped   bool       // Stop has begun: no process may start any more

	stopOnce sync.Once
	stopErr  error
}

// Start starts a control plane owned by t with DefaultOptions, and stops it
// when t ends, passed or failed.
func Start(t testing.TB) *Cluster { return StartWith(t, DefaultOptions) }

// StartWith is Start with explicit options.
func StartWith(t testing.TB, opts Options) *Cluster {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return c
}

var (
	sharedMu sync.Mutex
	shared   *Cluster
)

// Main starts a control plane with DefaultOptions, runs the package's tests
// against it and stops it; call it from TestMain as os.Exit(cluster.Main(m)).
// SIGINT, SIGTERM and SIGHUP stop the control plane before the binary exits;
// if the binary dies without running its cleanups, the daemons die with it
// (they hold PR_SET_PDEATHSIG).
func Main(m *testing.M) int {
	if !flag.Parsed() {
		flag.Parse() // for testing.Verbose; m.Run parses only once
	}
	start := time.Now()
	c, err := New(DefaultOptions)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cluster: start control plane: %v\n", err)
		return 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "cluster: control plane at %s ready in %v\n", c.Server, time.Since(start).Round(time.Millisecond))
	}
	sharedMu.Lock()
	shared = c
	sharedMu.Unlock()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		fmt.Fprintf(os.Stderr, "cluster: %v: stopping the control plane\n", s)
		_ = c.Stop()
		os.Exit(128 + int(s.(syscall.Signal)))
	}()

	code := m.Run()
	signal.Stop(sigs)
	close(sigs)
	if err := c.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "cluster: stop control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Shared returns the package's control plane started by Main.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		t.Fatal("cluster.Shared: no control plane; TestMain must call os.Exit(cluster.Main(m))")
	}
	return shared
}

// New starts a control plane and waits until it is ready. The caller must
// call Stop. A start that lost a race for a loopback port is retried.
func New(opts Options) (*Cluster, error) {
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 90 * time.Second
	}
	bin, err := ToolsBin()
	if err != nil {
		return nil, err
	}
	sweepStale()
	const attempts = 3
	for i := 1; ; i++ {
		c, err := start(bin, opts)
		if err == nil {
			return c, nil
		}
		if i == attempts || !errors.Is(err, errPortTaken) {
			return nil, err
		}
	}
}

var errPortTaken = errors.New("loopback port taken")

const dirPrefix = "archway-e2e-cluster-"

// sweepStale removes the folders of control planes whose test binary died
// without cleanups (the kernel killed their daemons; etcd's WAL alone holds
// over 100 MB): those with PID files whose processes are all gone, and not
// kept on purpose with ARCHWAY_E2E_KEEP.
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "kept")); err == nil {
			continue
		}
		pids, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
		if len(pids) == 0 {
			continue // still starting, or not ours
		}
		alive := false
		for _, f := range pids {
			b, err := os.ReadFile(f)
			pid, err2 := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil || err2 != nil || syscall.Kill(pid, 0) == nil {
				alive = true // zombies count: their parent may still be running
			}
		}
		if !alive {
			os.RemoveAll(dir)
		}
	}
}

func start(bin string, opts Options) (c *Cluster, err error) {
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	c = &Cluster{Dir: dir, Bin: bin, opts: opts}
	defer func() {
		if err != nil {
			if keep() {
				err = fmt.Errorf("%w (logs kept in %s)", err, c.Dir)
			}
			_ = c.Stop()
		}
	}()
	if c.pki, err = writePKI(dir); err != nil {
		return c, err
	}
	c.CAFile = c.pki.CACert

	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	etcdPeer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	c.EtcdURL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	deadline := time.Now().Add(opts.ReadyTimeout)

	etcd, err := c.startProcess("etcd",
		"--name=archway-e2e",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+c.EtcdURL,
		"--advertise-client-urls="+c.EtcdURL,
		"--listen-peer-urls="+etcdPeer,
		"--initial-advertise-peer-urls="+etcdPeer,
		"--initial-cluster=archway-e2e="+etcdPeer,
		"--unsafe-no-fsync", // the data dies with the test; fsync only costs time
		"--log-level=warn",
	)
	if err != nil {
		return c, err
	}
	plain := &http.Client{Timeout: 2 * time.Second}
	if err := waitFor(etcd, deadline, func() bool {
		body, code := get(plain, c.EtcdURL+"/health")
		return code == http.StatusOK && strings.Contains(body, `"health":"true"`)
	}); err != nil {
		return c, err
	}

	c.apiserverArgs = append([]string{
		"--etcd-servers=" + c.EtcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--tls-cert-file=" + c.pki.ServingCert,
		"--tls-private-key-file=" + c.pki.ServingKey,
		"--client-ca-file=" + c.pki.CACert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + c.pki.SAPub,
		"--service-account-signing-key-file=" + c.pki.SAKey,
		"--authorization-mode=Node,RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		// No node can reach 127.0.0.1 and EndpointSlices reject loopback
		// addresses: don't publish the API server as the kubernetes Service.
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		"--profiling=false",
		"--v=1",
	}, opts.APIServerArgs...)
	apiserver, err := c.startProcess("kube-apiserver", c.apiserverArgs...)
	if err != nil {
		return c, err
	}
	if err := c.writeKubeconfig(); err != nil {
		return c, err
	}
	admin, err := c.adminClient()
	if err != nil {
		return c, err
	}
	c.mu.Lock()
	c.apiserver = apiserver
	c.mu.Unlock()
	if err := waitFor(apiserver, deadline, func() bool {
		_, code := get(admin, c.Server+"/readyz")
		return code == http.StatusOK
	}); err != nil {
		return c, err
	}

	if opts.ControllerManager {
		kcm, err := c.startProcess("kube-controller-manager",
			"--kubeconfig="+c.Kubeconfig,
			"--leader-elect=false",
			"--bind-address=127.0.0.1",
			"--secure-port=0",
			"--root-ca-file="+c.pki.CACert,
			"--service-account-private-key-file="+c.pki.SAKey,
			"--cluster-signing-cert-file="+c.pki.CACert,
			"--cluster-signing-key-file="+c.pki.CAKey,
			"--use-service-account-credentials=false",
			"--v=1",
		)
		if err != nil {
			return c, err
		}
		// The serviceaccount controller gives each namespace its "default"
		// ServiceAccount: once it has, the controllers are running.
		if err := waitFor(kcm, deadline, func() bool {
			_, code := get(admin, c.Server+"/api/v1/namespaces/default/serviceaccounts/default")
			return code == http.StatusOK
		}); err != nil {
			return c, err
		}
	}
	return c, nil
}

// waitFor polls ready every 100ms until it holds, p exits or deadline passes.
func waitFor(p *process, deadline time.Time, ready func() bool) error {
	for {
		if ready() {
			return nil
		}
		if err := p.exited(); err != nil {
			tail := p.logTail(30)
			if strings.Contains(tail, "address already in use") {
				return fmt.Errorf("%w: %v", errPortTaken, err)
			}
			return fmt.Errorf("%v; last lines of its log:\n%s", err, tail)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready by the deadline; last lines of its log:\n%s", p.name, p.logTail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(client *http.Client, url string) (string, int) {
	resp, err := client.Get(url)
	if err != nil {
		return "", 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), resp.StatusCode
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func keep() bool { return os.Getenv("ARCHWAY_E2E_KEEP") != "" }

// Stop kills every daemon by PID (SIGKILL to its process group) and removes
// Dir, unless $ARCHWAY_E2E_KEEP is set. It is safe to call more than once,
// and from any goroutine: a StopAPIServer or StartAPIServer running at the
// same time fails, and no daemon starts after Stop has begun.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.mu.Lock()
		c.stopped = true
		procs := append([]*process(nil), c.procs...)
		c.mu.Unlock()
		var errs []error
		for i := len(procs) - 1; i >= 0; i-- {
			errs = append(errs, procs[i].kill())
		}
		if keep() {
			_ = os.WriteFile(filepath.Join(c.Dir, "kept"), nil, 0o644)
			fmt.Fprintf(os.Stderr, "cluster: ARCHWAY_E2E_KEEP is set: logs and data left in %s\n", c.Dir)
		} else {
			errs = append(errs, os.RemoveAll(c.Dir))
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

// TLSConfig trusts the cluster CA and presents the admin client cert, for
// tests that talk to the API server directly.
func (c *Cluster) TLSConfig() (*tls.Config, error) {
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(c.pki.CACert)
	if err != nil {
		return nil, err
	}
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("no certificate in " + c.pki.CACert)
	}
	cert, err := tls.LoadX509KeyPair(c.pki.AdminCert, c.pki.AdminKey)
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func (c *Cluster) adminClient() (*http.Client, error) {
	cfg, err := c.TLSConfig()
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}, nil
}

func (c *Cluster) writeKubeconfig() error {
	read := func(p string) (string, error) {
		b, err := os.ReadFile(p)
		return base64.StdEncoding.EncodeToString(b), err
	}
	ca, err1 := read(c.pki.CACert)
	cert, err2 := read(c.pki.AdminCert)
	key, err3 := read(c.pki.AdminKey)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	c.Kubeconfig = filepath.Join(c.Dir, "kubeconfig")
	return os.WriteFile(c.Kubeconfig, []byte(kubeconfig(c.Server, ca, "archway-e2e-admin",
		"    client-certificate-data: "+cert+"\n    client-key-data: "+key+"\n")), 0o600)
}

func kubeconfig(server, caData, user, userFields string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: archway-e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
%scontexts:
- name: archway-e2e
  context:
    cluster: archway-e2e
    user: %s
    namespace: default
current-context: archway-e2e
`, server, caData, user, userFields, user)
}

// TokenKubeconfig writes a kubeconfig that authenticates with a bearer
// token (e.g. from `kubectl create token`) and returns its path. It lives in
// a temporary folder of t.
func (c *Cluster) TokenKubeconfig(t testing.TB, token string) string {
	t.Helper()
	ca, err := os.ReadFile(c.pki.CACert)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	body := kubeconfig(c.Server, base64.StdEncoding.EncodeToString(ca), "token-user", "    token: "+token+"\n")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// env is the environment of every tool run against this cluster: the admin
// kubeconfig (never the user's own), and kubectl's and helm's caches and
// config inside Dir rather than $HOME.
func (c *Cluster) env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "KUBECONFIG" || strings.HasPrefix(k, "HELM_") || k == "KUBECACHEDIR" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"KUBECONFIG="+filepath.Join(c.Dir, "kubeconfig"),
		"KUBECACHEDIR="+filepath.Join(c.Dir, "kube-cache"),
		"HELM_CACHE_HOME="+filepath.Join(c.Dir, "helm", "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(c.Dir, "helm", "config"),
		"HELM_DATA_HOME="+filepath.Join(c.Dir, "helm", "data"),
	)
}

// Command returns a command for one of the tools (kubectl, helm, h2spec, ...)
// or for any other program by path, with KUBECONFIG set to the admin
// kubeconfig and helm's and kubectl's state kept in Dir.
func (c *Cluster) Command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	path := tool
	if !strings.Contains(tool, "/") {
		path = filepath.Join(c.Bin, tool)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = c.env()
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// CommandTimeout bounds every tool run by Run, Kubectl and TryKubectl.
var CommandTimeout = 2 * time.Minute

// Run runs a tool with stdin (may be empty) and returns its stdout; the
// error carries stderr.
func (c *Cluster) Run(stdin string, tool string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	cmd := c.Command(ctx, tool, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), err
}

// TryKubectl runs kubectl as admin and returns stdout, or an error that
// carries stderr (for calls that are meant to fail).
func (c *Cluster) TryKubectl(args ...string) (string, error) {
	return c.Run("", "kubectl", args...)
}

// Kubectl runs kubectl as admin and returns stdout; a failure fails t.
func (c *Cluster) Kubectl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := c.Run("", "kubectl", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Apply pipes manifest into `kubectl apply -f -` (in namespace ns unless
// ns is empty); a failure fails t.
func (c *Cluster) Apply(t testing.TB, ns, manifest string) string {
	t.Helper()
	args := []string{"apply", "-f", "-"}
	if ns != "" {
		args = append(args, "-n", ns)
	}
	out, err := c.Run(manifest, "kubectl", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// Namespace creates a namespace for t alone, named after the test, and
// deletes it when t ends. Tests that share a control plane must put their
// objects in it, so that none sees another's.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	var suffix [3]byte
	_, _ = rand.Read(suffix[:])
	base := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 50 {
		base = strings.TrimRight(base[:50], "-")
	}
	name := base + "-" + hex.EncodeToString(suffix[:])
	c.Kubectl(t, "create", "namespace", name)
	c.Kubectl(t, "label", "namespace", name, "archway.dev/e2e-test=true")
	t.Cleanup(func() {
		// Without waiting: the controller-manager empties and removes it in
		// the background, and nothing else will use the name.
		if _, err := c.TryKubectl("delete", "namespace", name, "--wait=false", "--ignore-not-found"); err != nil {
			t.Errorf("delete namespace %s: %v", name, err)
		}
	})
	return name
}
