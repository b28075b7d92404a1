package hydra

import (
	"crypto/subtle"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// Front is a reverse proxy on loopback in front of one Hydra endpoint that
// counts the calls reaching it: how a test proves "exactly one JWKS
// refetch" or "one introspection call". With credentials set it also
// answers 401 to a call without them, which Hydra's admin port never does.
type Front struct {
	URL      string // the endpoint's URL through the front
	calls    atomic.Int64
	refusals atomic.Int64
}

// FrontOptions configures a Front.
type FrontOptions struct {
	// Credentials, when set, must come as client_secret_basic.
	Credentials *Client
	// TLS, when set, makes the front serve HTTPS with this certificate.
	TLS *tls.Config
}

// Calls is how many requests the front passed on to Hydra.
func (f *Front) Calls() int64 { return f.calls.Load() }

// Refusals is how many requests it answered 401 for lack of credentials.
func (f *Front) Refusals() int64 { return f.refusals.Load() }

// NewFront serves target's path (e.g. s.JWKSURL(), s.IntrospectionURL())
// through a counting reverse proxy; it stops when the test ends. While
// Hydra is stopped the front answers 502.
func (s *Server) NewFront(t testing.TB, target string, opts FrontOptions) *Front {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.Transport = s.client.Transport
	f := &Front{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := opts.Credentials; c != nil && !hasCredentials(r, *c) {
			f.refusals.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="hydra-front"`)
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		f.calls.Add(1)
		rp.ServeHTTP(w, r)
	})
	mux := http.NewServeMux()
	mux.Handle(u.Path, handler)
	srv := &http.Server{Handler: mux}
	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
		ln = tls.NewListener(ln, opts.TLS)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	f.URL = scheme + "://" + ln.Addr().String() + u.Path
	return f
}

func hasCredentials(r *http.Request, c Client) bool {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return false
	}
	if u, err := url.QueryUnescape(id); err == nil {
		id = u
	}
	if u, err := url.QueryUnescape(secret); err == nil {
		secret = u
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(c.ID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) == 1
}
