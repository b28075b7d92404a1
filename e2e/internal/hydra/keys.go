package hydra

import (
	"encoding/base64"
	"encoding/json"
	"errors"
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

// RotateSigningKey adds a new key to the access-token set (POST
// /admin/keys/hydra.jwt.access-token; RS256, which Hydra makes 4096 bits)
// and returns its kid. Hydra signs the next JWT access token with it (the
// newest by creation time, which SQLite keeps to the nanosecond); the old
// key stays in the JWKS, so tokens it signed still verify.
func (s *Server) RotateSigningKey(t testing.TB) string {
	t.Helper()
	kid := "archway-" + randomHex(8)
	body := map[string]string{"alg": "RS256", "use": "sig", "kid": kid}
	setURL := s.AdminURL() + "/admin/keys/" + AccessTokenKeySet
	err := s.tryJSON(http.MethodPost, setURL, body, http.StatusCreated, nil)
	// Hydra's handlers have 10 s to write (ory/graceful's WriteTimeout) and
	// a 4096-bit key may take longer on a loaded machine: the connection
	// then ends without an answer, but the key is stored once made.
	var refused *statusError
	if err != nil && !errors.As(err, &refused) {
		deadline := time.Now().Add(keyGenerationTimeout)
		for err != nil && time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			err = s.tryJSON(http.MethodGet, setURL+"/"+kid, nil, http.StatusOK, nil)
		}
	}
	if err != nil {
		t.Fatalf("rotate: key %s not created: %v", kid, err)
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
