package hydra

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// JWK is the public part of a key as the JWKS endpoint shows it.
type JWK struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS fetches the public JWKS (every signing set's public keys).
func (s *Server) JWKS(t testing.TB) []JWK {
	t.Helper()
	var set struct {
		Keys []JWK `json:"keys"`
	}
	s.mustJSON(t, http.MethodGet, s.JWKSURL(), nil, http.StatusOK, &set)
	return set.Keys
}

// keyOrderGranularity is how far apart two keys of a set must be created
// for Hydra to sign with the newer one: it picks the newest by `created_at`,
// which SQLite stores to the second.
const keyOrderGranularity = 1100 * time.Millisecond

// RotateSigningKey adds a new RS256 key to the access-token set (POST
// /admin/keys/hydra.jwt.access-token) and returns its kid. Hydra signs the
// next JWT access token with it; the old key stays in the JWKS, so tokens
// it signed still verify.
func (s *Server) RotateSigningKey(t testing.TB) string {
	t.Helper()
	if wait := keyOrderGranularity - time.Since(time.Unix(0, s.lastKeyAt.Load())); wait > 0 {
		time.Sleep(wait)
	}
	kid := "archway-" + randomHex(8)
	body := map[string]string{"alg": "RS256", "use": "sig", "kid": kid}
	var set struct {
		Keys []JWK `json:"keys"`
	}
	s.mustJSON(t, http.MethodPost, s.AdminURL()+"/admin/keys/"+AccessTokenKeySet, body, http.StatusCreated, &set)
	s.lastKeyAt.Store(time.Now().UnixNano())
	if len(set.Keys) != 1 || set.Keys[0].Kid != kid {
		t.Fatalf("rotate: created %+v, want one key %s", set.Keys, kid)
	}
	return kid
}

// ParseUnverified decodes a compact JWS's header and claims WITHOUT
// checking the signature: for tests that look at what Hydra issued.
func ParseUnverified(token string) (header, claims map[string]any, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("not a compact JWS: %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, fmt.Errorf("part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return nil, nil, fmt.Errorf("part %d: %v", i, err)
		}
	}
	return header, claims, nil
}
