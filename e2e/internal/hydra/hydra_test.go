package hydra

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func kids(keys []JWK) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.Kid)
	}
	return out
}

func mustHeader(t *testing.T, token string) (map[string]any, map[string]any) {
	t.Helper()
	h, c, err := ParseUnverified(token)
	if err != nil {
		t.Fatalf("access token %q: %v", token, err)
	}
	return h, c
}

// Hydra issues RS256 JWT access tokens whose kid its JWKS publishes, opaque
// tokens that introspect active until revoked, and signs with a rotated
// key at once while still publishing the old one.
func TestHydraIssuesVerifiableTokensRevokesAndRotates(t *testing.T) {
	s := Start(t, Options{Strategy: JWT})
	c := s.CreateClient(t, ClientSpec{Scopes: []string{"orders.read", "orders.write"}, Audience: []string{"orders"}})

	tok := s.Token(t, c, []string{"orders.read"}, []string{"orders"})
	if !strings.EqualFold(tok.TokenType, "bearer") {
		t.Errorf("token_type %q, want bearer", tok.TokenType)
	}
	h, claims := mustHeader(t, tok.AccessToken)
	if h["alg"] != "RS256" {
		t.Errorf("header alg %v, want RS256", h["alg"])
	}
	firstKid, _ := h["kid"].(string)
	if published := kids(s.JWKS(t)); firstKid == "" || !slices.Contains(published, firstKid) {
		t.Fatalf("token kid %q not among the JWKS kids %v", firstKid, published)
	}
	if claims["iss"] != s.Issuer() {
		t.Errorf("iss %v, want %s", claims["iss"], s.Issuer())
	}
	if aud, _ := claims["aud"].([]any); !slices.Contains(aud, any("orders")) {
		t.Errorf("aud %v, want it to hold orders", claims["aud"])
	}
	if scp, _ := claims["scp"].([]any); !slices.Equal(scp, []any{"orders.read"}) {
		t.Errorf("scp %v, want [orders.read]", claims["scp"])
	}
	if _, ok := claims["exp"].(float64); !ok {
		t.Errorf("exp missing: %v", claims)
	}

	t.Run("opaque token introspects active until revoked", func(t *testing.T) {
		oc := s.CreateClient(t, ClientSpec{Scopes: []string{"orders.read"}, Audience: []string{"orders"}, AccessTokenStrategy: Opaque})
		op := s.Token(t, oc, []string{"orders.read"}, []string{"orders"})
		if _, _, err := ParseUnverified(op.AccessToken); err == nil {
			t.Fatalf("opaque token %q parses as a JWT", op.AccessToken)
		}
		in := s.Introspect(t, op.AccessToken)
		if !in.Active || in.Scope != "orders.read" || in.ClientID != oc.ID || !slices.Contains(in.Audience, "orders") || in.Exp == 0 {
			t.Fatalf("introspection of a fresh token: %+v", in.Raw)
		}
		s.Revoke(t, oc, op.AccessToken)
		if in := s.Introspect(t, op.AccessToken); in.Active {
			t.Fatalf("introspection after revocation: %+v", in.Raw)
		}
		if in := s.Introspect(t, "not-a-token"); in.Active {
			t.Fatalf("introspection of garbage: %+v", in.Raw)
		}
	})

	t.Run("rotated key signs the next token and both stay published", func(t *testing.T) {
		newKid := s.RotateSigningKey(t)
		if newKid == firstKid {
			t.Fatalf("rotation kept kid %s", newKid)
		}
		published := kids(s.JWKS(t))
		if !slices.Contains(published, newKid) || !slices.Contains(published, firstKid) {
			t.Fatalf("JWKS kids %v, want both %s and %s", published, firstKid, newKid)
		}
		h, _ := mustHeader(t, s.Token(t, c, []string{"orders.read"}, []string{"orders"}).AccessToken)
		if h["kid"] != newKid || h["alg"] != "RS256" {
			t.Fatalf("token after rotation: header %v, want RS256 with kid %s", h, newKid)
		}
	})

	t.Run("front counts calls and demands credentials", func(t *testing.T) {
		f := s.NewFront(t, s.IntrospectionURL(), FrontOptions{Credentials: &c})
		post := func(user, pass string) int {
			req, _ := http.NewRequest(http.MethodPost, f.URL, strings.NewReader(url.Values{"token": {tok.AccessToken}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if user != "" {
				req.SetBasicAuth(user, pass)
			}
			resp, err := s.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := post("", ""); got != http.StatusUnauthorized {
			t.Errorf("without credentials: %d, want 401", got)
		}
		if got := post(c.ID, "wrong"); got != http.StatusUnauthorized {
			t.Errorf("with a wrong secret: %d, want 401", got)
		}
		if got := post(c.ID, c.Secret); got != http.StatusOK {
			t.Errorf("with the client's credentials: %d, want 200", got)
		}
		if f.Calls() != 1 || f.Refusals() != 2 {
			t.Errorf("front counted %d calls, %d refusals; want 1 and 2", f.Calls(), f.Refusals())
		}
	})
}

// Stopped, Hydra refuses connections; started again on the in-memory store
// it answers on the same URLs but has forgotten clients and keys.
func TestHydraRestartInMemoryForgetsState(t *testing.T) {
	s := Start(t, Options{})
	c := s.CreateClient(t, ClientSpec{Scopes: []string{"a"}})
	h, _ := mustHeader(t, s.Token(t, c, []string{"a"}, nil).AccessToken)
	s.Stop()
	if _, err := s.TryToken(c, []string{"a"}, nil); err == nil {
		t.Fatal("a token from a stopped Hydra")
	}
	s.Start()
	if _, err := s.TryToken(c, []string{"a"}, nil); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("after an in-memory restart the client still works (err %v)", err)
	}
	c2 := s.CreateClient(t, ClientSpec{Scopes: []string{"a"}})
	h2, _ := mustHeader(t, s.Token(t, c2, []string{"a"}, nil).AccessToken)
	if h2["kid"] == h["kid"] {
		t.Fatalf("the signing key survived an in-memory restart: %v", h2["kid"])
	}
}

// With Persistent, clients and keys survive Stop/Start.
func TestHydraRestartPersistentKeepsState(t *testing.T) {
	s := Start(t, Options{Persistent: true})
	c := s.CreateClient(t, ClientSpec{Scopes: []string{"a"}})
	h, _ := mustHeader(t, s.Token(t, c, []string{"a"}, nil).AccessToken)
	s.Stop()
	s.Start()
	h2, _ := mustHeader(t, s.Token(t, c, []string{"a"}, nil).AccessToken)
	if h2["kid"] != h["kid"] {
		t.Fatalf("kid %v after restart, want %v", h2["kid"], h["kid"])
	}
}

// With TLS, Hydra serves both ports over HTTPS with the test's certificate
// and the issuer is https.
func TestHydraServesHTTPS(t *testing.T) {
	certs := NewTestTLS(t)
	s := Start(t, Options{TLS: certs})
	if !strings.HasPrefix(s.Issuer(), "https://127.0.0.1:") || !strings.HasPrefix(s.IntrospectionURL(), "https://") {
		t.Fatalf("issuer %s, introspection %s: want https", s.Issuer(), s.IntrospectionURL())
	}
	c := s.CreateClient(t, ClientSpec{Scopes: []string{"a"}})
	_, claims := mustHeader(t, s.Token(t, c, []string{"a"}, nil).AccessToken)
	if claims["iss"] != s.Issuer() {
		t.Errorf("iss %v, want %s", claims["iss"], s.Issuer())
	}
	if len(s.JWKS(t)) == 0 {
		t.Error("empty JWKS over https")
	}
	if _, err := http.Get(s.JWKSURL()); err == nil {
		t.Error("a client without the test CA trusted Hydra's certificate")
	}
}
