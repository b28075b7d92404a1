// Package hydra runs Ory Hydra (built by e2e/tools/ensure.sh) as the OAuth2
// server of identity e2e tests: `hydra serve all --dev` on two free loopback
// ports, its own secrets per server, and the admin and public calls the tests
// need (clients, client-credentials tokens, introspection, revocation, key
// rotation). See docs/e2e-identity.md for what a test can rely on.
package hydra

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/procs"
)

// Strategy is Hydra's access-token format (`strategies.access_token`).
type Strategy string

const (
	// JWT access tokens, signed with the newest key of the
	// `hydra.jwt.access-token` set (RS256), checkable through the JWKS.
	JWT Strategy = "jwt"
	// Opaque access tokens, checkable only through introspection.
	Opaque Strategy = "opaque"
)

// AccessTokenKeySet is the JWK set that signs JWT access tokens.
const AccessTokenKeySet = "hydra.jwt.access-token"

// SkipEnv names the variable that lets a test skip when the hydra binary
// is missing (otherwise a missing binary fails the test).
const SkipEnv = "ARCHWAY_SKIP_HYDRA"

// TLS makes Hydra serve both ports over HTTPS with this certificate
// (NewTestTLS makes one).
type TLS struct {
	CertFile, KeyFile string
	CAFile            string         // PEM of the CA that signed it
	RootCAs           *x509.CertPool // verifies it in the helper's own calls
}

// Options configures one Hydra server.
type Options struct {
	Strategy       Strategy      // default JWT; a client may override it
	AccessTokenTTL time.Duration // default Hydra's (1 h)
	TLS            *TLS          // nil: plain HTTP
	// Persistent keeps clients, tokens and keys across Stop/Start in a
	// SQLite file in the test's temp folder (migrated at the first Start);
	// without it the store is in memory and a restart loses everything.
	Persistent bool
}

// Server is one Hydra process and what is needed to start it again on the
// same ports with the same secrets.
type Server struct {
	t          testing.TB
	bin        string
	dir        string
	opts       Options
	env        []string
	publicPort int
	adminPort  int
	proc       *procs.Proc
	starts     int
	client     *http.Client
}

// Binary returns the path of the hydra binary in the tools folder. When it
// is missing, the test fails, or is skipped if $ARCHWAY_SKIP_HYDRA is set.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := cluster.ToolsBin()
	if err == nil {
		bin = filepath.Join(bin, "hydra")
		_, err = os.Stat(bin)
	}
	if err != nil {
		if os.Getenv(SkipEnv) != "" {
			t.Skipf("hydra not available and %s is set: %v", SkipEnv, err)
		}
		t.Fatalf("hydra not available (e2e/tools/ensure.sh builds it; set %s=1 to skip): %v", SkipEnv, err)
	}
	return bin
}

// Start runs Hydra and waits until it is ready; it is killed when the test
// ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Strategy == "" {
		opts.Strategy = JWT
	}
	s := &Server{
		t:          t,
		bin:        Binary(t),
		dir:        t.TempDir(),
		opts:       opts,
		publicPort: procs.FreeLoopbackPort(t),
		adminPort:  procs.FreeLoopbackPort(t),
		client:     &http.Client{Timeout: 30 * time.Second},
	}
	if opts.TLS != nil {
		s.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: opts.TLS.RootCAs}}
	}
	s.env = s.environment()
	if opts.Persistent {
		s.migrate()
	}
	s.Start()
	return s
}

func (s *Server) environment() []string {
	dsn := "memory"
	if s.opts.Persistent {
		dsn = "sqlite://" + filepath.Join(s.dir, "hydra.sqlite") + "?_fk=true"
	}
	env := append(os.Environ(),
		"DSN="+dsn,
		"URLS_SELF_ISSUER="+s.Issuer(),
		"SERVE_PUBLIC_HOST=127.0.0.1",
		"SERVE_PUBLIC_PORT="+strconv.Itoa(s.publicPort),
		"SERVE_ADMIN_HOST=127.0.0.1",
		"SERVE_ADMIN_PORT="+strconv.Itoa(s.adminPort),
		"SECRETS_SYSTEM="+randomHex(32),
		"STRATEGIES_ACCESS_TOKEN="+string(s.opts.Strategy),
		"LOG_LEVEL=info",
		"SQA_OPT_OUT=true",
	)
	if s.opts.AccessTokenTTL > 0 {
		env = append(env, "TTL_ACCESS_TOKEN="+s.opts.AccessTokenTTL.String())
	}
	if s.opts.TLS != nil {
		env = append(env, "SERVE_TLS_ENABLED=true",
			"SERVE_TLS_CERT_PATH="+s.opts.TLS.CertFile,
			"SERVE_TLS_KEY_PATH="+s.opts.TLS.KeyFile)
	}
	return env
}

// migrate creates the SQLite schema of a persistent store.
func (s *Server) migrate() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "migrate", "sql", "up", "--read-from-env", "--yes")
	cmd.Env = s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("hydra migrate sql: %v\n%s", err, out)
	}
}

// Start runs Hydra again after Stop, on the same ports with the same
// secrets (and, when Persistent, the same store).
func (s *Server) Start() {
	s.t.Helper()
	if s.proc != nil {
		s.t.Fatal("hydra: Start while running")
	}
	s.starts++
	cmd := []string{"serve", "all", "--dev", "--sqa-opt-out"}
	s.proc = procs.StartEnv(s.t, fmt.Sprintf("hydra-%d", s.starts), s.dir, s.env, s.bin, cmd...)
	s.waitReady(30 * time.Second)
	s.generateKeys(keyGenerationTimeout)
}

// Stop kills Hydra (SIGKILL: an identity provider that vanishes).
func (s *Server) Stop() {
	if s.proc == nil {
		return
	}
	s.proc.Kill()
	s.proc = nil
}

func (s *Server) waitReady(timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		if s.proc.Exited() {
			s.t.Fatalf("hydra exited before it was ready (log: %s)", s.proc.Log)
		}
		resp, err := s.client.Get(s.AdminURL() + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = errors.New(resp.Status)
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("hydra not ready after %v: %v (log: %s)", timeout, lastErr, s.proc.Log)
}

// keyGenerationTimeout bounds Hydra's making of 4096-bit RSA keys, which
// took over 10 s on a loaded 2-core machine.
const keyGenerationTimeout = 90 * time.Second

// generateKeys has Hydra make the signing keys a fresh store lacks, here
// rather than within a test's first token request or the proxy's first
// JWKS fetch: fetching the JWKS makes them. Hydra's handlers have 10 s to
// write (ory/graceful's WriteTimeout) and generation may take longer, so a
// failed fetch is retried: the keys it started are stored all the same.
func (s *Server) generateKeys(timeout time.Duration) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := s.tryJSON(http.MethodGet, s.JWKSURL(), nil, http.StatusOK, nil)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("hydra made no signing keys in %v: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Server) scheme() string {
	if s.opts.TLS != nil {
		return "https"
	}
	return "http"
}

// PublicURL is the base of the public port (token, revocation, JWKS).
func (s *Server) PublicURL() string {
	return fmt.Sprintf("%s://127.0.0.1:%d", s.scheme(), s.publicPort)
}

// AdminURL is the base of the admin port (clients, keys, introspection).
func (s *Server) AdminURL() string {
	return fmt.Sprintf("%s://127.0.0.1:%d", s.scheme(), s.adminPort)
}

// Issuer is the `iss` of the tokens, exactly as Hydra writes it.
func (s *Server) Issuer() string { return s.PublicURL() }

// JWKSURL serves the public keys of every signing key set, the access-token
// set among them.
func (s *Server) JWKSURL() string { return s.PublicURL() + "/.well-known/jwks.json" }

// TokenURL is the OAuth2 token endpoint.
func (s *Server) TokenURL() string { return s.PublicURL() + "/oauth2/token" }

// IntrospectionURL is RFC 7662 introspection: on the ADMIN port in Hydra
// v2, which asks for no credentials (see docs/e2e-identity.md).
func (s *Server) IntrospectionURL() string { return s.AdminURL() + "/admin/oauth2/introspect" }

// HTTPClient is the client the helper uses (it trusts Options.TLS.RootCAs).
func (s *Server) HTTPClient() *http.Client { return s.client }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
