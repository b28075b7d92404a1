package proxye2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The auth.jwt policy end to end: the proxy fetches its keys from a JWKS
// server on loopback (plain http in the test; docs/auth.md says use https),
// real Go clients send tokens signed here by a small JWS signer.

var b64 = base64.RawURLEncoding

// signingKey is one key of the test issuer: its kid, its JWS alg, and both halves.
type signingKey struct {
	kid, alg string
	priv     crypto.Signer
}

func newKeys(t testing.TB, prefix string) []signingKey {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, dk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return []signingKey{{prefix + "-rsa", "RS256", rk}, {prefix + "-ec", "ES256", ek}, {prefix + "-ed", "EdDSA", dk}}
}

func pad(b []byte, n int) []byte { return append(make([]byte, n-len(b)), b...) }

func (k signingKey) jwk() map[string]string {
	switch pub := k.priv.Public().(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "kid": k.kid, "n": b64.EncodeToString(pub.N.Bytes()),
			"e": b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
	case *ecdsa.PublicKey:
		return map[string]string{"kty": "EC", "crv": "P-256", "kid": k.kid,
			"x": b64.EncodeToString(pad(pub.X.Bytes(), 32)), "y": b64.EncodeToString(pad(pub.Y.Bytes(), 32))}
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": k.kid, "x": b64.EncodeToString(pub)}
	}
	panic("unknown key type")
}

// sign makes a compact JWS of claims, with header kid `kid` (the key's own
// unless overridden).
func (k signingKey) sign(t testing.TB, claims map[string]any, kid string) string {
	t.Helper()
	if kid == "" {
		kid = k.kid
	}
	h, _ := json.Marshal(map[string]string{"alg": k.alg, "typ": "JWT", "kid": kid})
	c, _ := json.Marshal(claims)
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, priv, digest[:])
		if err == nil {
			sig = append(pad(r.Bytes(), 32), pad(s.Bytes(), 32)...)
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(priv, []byte(input))
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// jwksServer serves the public keys it holds and counts the fetches.
type jwksServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	keys    []signingKey
	fetches atomic.Int64
}

func startJWKS(t testing.TB, keys []signingKey) *jwksServer {
	j := &jwksServer{keys: keys}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		set := []map[string]string{}
		for _, k := range j.keys {
			set = append(set, k.jwk())
		}
		j.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwk-set+json")
		json.NewEncoder(w).Encode(map[string]any{"keys": set})
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *jwksServer) add(k signingKey) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.keys = append(j.keys, k)
}

const testIssuer = "https://issuer.e2e.test"

func jwtSnapshot(be *Backend, jwksURI string) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "j", Domains: []string{"*"}, Routes: []Route{{
			Name: "orders", RouteName: "e2e/jwt", RuleName: "orders",
			Matches:  []Match{{Path: prefix("/orders")}},
			Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
			Policies: &Policies{Auth: &Auth{Jwt: &JwtAuth{
				Issuer: testIssuer, Audiences: []string{"orders"}, JwksURI: jwksURI,
				RequiredScopes: []string{"orders:read"},
				ForwardClaims:  []ForwardClaim{{Claim: "sub", Header: "X-User"}},
			}}},
		}}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
}

var tokenSerial atomic.Int64

// claims for a token valid for ten minutes; every call gives a new token
// (jti), so none is answered from the proxy's verified-token cache.
func claims(sub, scope string) map[string]any {
	return map[string]any{"iss": testIssuer, "aud": "orders", "sub": sub, "scope": scope,
		"exp": time.Now().Add(10 * time.Minute).Unix(), "jti": fmt.Sprint(tokenSerial.Add(1))}
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// TestJWTValidTokensReachTheBackendWithTheirClaims: RS256, ES256 and EdDSA
// tokens from the JWKS pass, the backend sees the forwarded claim and not
// the forged copy; the refusals carry RFC 6750's WWW-Authenticate.
func TestJWTValidTokensReachTheBackendWithTheirClaims(t *testing.T) {
	be := startBackend(t, "api")
	keys := newKeys(t, "k1")
	idp := startJWKS(t, keys)
	p := startProxy(t, jwtSnapshot(be, idp.srv.URL+"/jwks"), ProxyOptions{})
	cl := h1Client()
	for _, k := range keys {
		hdr := bearer(k.sign(t, claims("alice-"+k.alg, "orders:read"), ""))
		hdr.Add("X-User", "root")
		e := getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", hdr, nil)
		if got := e.Header("X-User"); len(got) != 1 || got[0] != "alice-"+k.alg {
			t.Errorf("%s: backend saw X-User %q, want [alice-%s]", k.alg, got, k.alg)
		}
	}
	other := newKeys(t, "k1") // same kids, keys the issuer never published
	refusals := []struct {
		name   string
		hdr    http.Header
		status int
		www    string
	}{
		{"no token", http.Header{"X-User": {"root"}}, 401, "Bearer"},
		{"basic scheme", http.Header{"Authorization": {"Basic YTpi"}}, 401, "Bearer"},
		{"forged signature", bearer(other[1].sign(t, claims("mallory", "orders:read"), "")), 401, `Bearer error="invalid_token"`},
		{"garbage", bearer("not.a.jwt"), 401, `Bearer error="invalid_token"`},
		{"missing scope", bearer(keys[2].sign(t, claims("bob", "orders:write"), "")), 403,
			`Bearer error="insufficient_scope", scope="orders:read"`},
	}
	for _, c := range refusals {
		resp, body := do(t, cl, "GET", p.URL("/orders/1"), "api.test", c.hdr, nil)
		errorBody(t, resp, body, c.status)
		if got := resp.Header.Get("WWW-Authenticate"); got != c.www {
			t.Errorf("%s: WWW-Authenticate %q, want %q", c.name, got, c.www)
		}
		if strings.Contains(string(body), "signature") || strings.Contains(string(body), "kid") {
			t.Errorf("%s: body %q hints at the failed check", c.name, body)
		}
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
}

// TestJWTRotatedKeyIsAcceptedAfterExactlyOneRefetch: a token signed with a
// key published after the proxy's fetch is accepted at once, at the cost
// of one fetch.
func TestJWTRotatedKeyIsAcceptedAfterExactlyOneRefetch(t *testing.T) {
	be := startBackend(t, "api")
	idp := startJWKS(t, newKeys(t, "old"))
	p := startProxy(t, jwtSnapshot(be, idp.srv.URL+"/jwks"), ProxyOptions{})
	cl := h1Client()
	old := idp.keys[0]
	getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(old.sign(t, claims("a", "orders:read"), "")), nil)
	before := idp.fetches.Load()
	rotated := newKeys(t, "new")[1]
	idp.add(rotated)
	e := getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(rotated.sign(t, claims("b", "orders:read"), "")), nil)
	if got := e.Header("X-User"); len(got) != 1 || got[0] != "b" {
		t.Errorf("X-User %q, want [b]", got)
	}
	if n := idp.fetches.Load() - before; n != 1 {
		t.Errorf("rotation cost %d fetches, want exactly 1", n)
	}
}

// TestJWTUnknownKidFloodIsBoundedByTheCoolDown: 1,000 tokens naming random
// unknown kids make at most one fetch per 30 s cool-down.
func TestJWTUnknownKidFloodIsBoundedByTheCoolDown(t *testing.T) {
	be := startBackend(t, "api")
	keys := newKeys(t, "k")
	idp := startJWKS(t, keys)
	p := startProxy(t, jwtSnapshot(be, idp.srv.URL+"/jwks"), ProxyOptions{})
	cl := h1Client()
	getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(keys[1].sign(t, claims("a", "orders:read"), "")), nil)
	before := idp.fetches.Load()
	elapsed := floodUnknownKids(t, cl, p.URL("/orders"), func(kid string) string {
		return keys[1].sign(t, claims("x", "orders:read"), kid)
	})
	allowed := int64(elapsed/(30*time.Second)) + 1
	if n := idp.fetches.Load() - before; n > allowed {
		t.Errorf("flood of unknown kids over %v caused %d fetches, want at most %d", elapsed, n, allowed)
	}
}

// floodUnknownKids sends up to 1,000 tokens naming random kids (sign makes
// each one for its kid) from 16 clients within 60 s, fails the test for any
// answer but 401, and returns how long it took.
func floodUnknownKids(t *testing.T, cl *http.Client, url string, sign func(kid string) string) time.Duration {
	t.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	var wrong atomic.Int64
	next := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header = bearer(sign(fmt.Sprintf("random-%d-%d", i, time.Now().UnixNano())))
				resp, err := cl.Do(req)
				if err != nil {
					wrong.Add(1)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode != 401 {
					wrong.Add(1)
				}
			}
		}()
	}
	deadline := time.After(60 * time.Second)
loop:
	for i := 0; i < 1000; i++ {
		select {
		case next <- i:
		case <-deadline:
			t.Logf("flood stopped by its deadline after %d tokens", i)
			break loop
		}
	}
	close(next)
	wg.Wait()
	if n := wrong.Load(); n != 0 {
		t.Errorf("%d of the flood's requests did not get 401", n)
	}
	return time.Since(start)
}

// TestJWTCachedKeysServeWhileTheJWKSServerIsDown: once fetched, keys keep
// verifying new tokens after the issuer's JWKS endpoint is gone.
func TestJWTCachedKeysServeWhileTheJWKSServerIsDown(t *testing.T) {
	be := startBackend(t, "api")
	keys := newKeys(t, "k")
	idp := startJWKS(t, keys)
	p := startProxy(t, jwtSnapshot(be, idp.srv.URL+"/jwks"), ProxyOptions{})
	cl := h1Client()
	getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(keys[0].sign(t, claims("a", "orders:read"), "")), nil)
	idp.srv.Close()
	for _, k := range keys {
		getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(k.sign(t, claims("b", "orders:read"), "")), nil)
	}
	// An unknown kid now tries a refetch that fails: a 401, and the old
	// keys still serve afterwards.
	resp, body := do(t, cl, "GET", p.URL("/orders"), "api.test", bearer(keys[0].sign(t, claims("c", "orders:read"), "gone")), nil)
	errorBody(t, resp, body, 401)
	getEcho(t, cl, "GET", p.URL("/orders"), "api.test", bearer(keys[2].sign(t, claims("d", "orders:read"), "")), nil)
}
