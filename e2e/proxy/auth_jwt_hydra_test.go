package proxye2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/hydra"
)

// auth.jwt against a real identity provider (docs/e2e-identity.md): Ory
// Hydra issues client-credentials JWTs (RS256) and publishes its JWKS; the
// proxy fetches that JWKS through a counting front, so every fetch is seen.

// unknownKidCoolDown is the proxy's cool-down between two refetches caused
// by unknown kids (docs/auth.md "JWKS caching").
const unknownKidCoolDown = 30 * time.Second

func hydraSnapshot(be *Backend, s *hydra.Server, jwksURI string) Snapshot {
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "h", Domains: []string{"*"}, Routes: []Route{{
			Name: "orders", RouteName: "e2e/hydra", RuleName: "orders",
			Matches:  []Match{{Path: prefix("/orders")}},
			Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
			Policies: &Policies{Auth: &Auth{Jwt: &JwtAuth{
				Issuer: s.Issuer(), Audiences: []string{"orders"}, JwksURI: jwksURI,
				RequiredScopes: []string{"orders.read"},
				ForwardClaims:  []ForwardClaim{{Claim: "sub", Header: "X-User"}},
			}}},
		}}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
}

// tamper changes the token's claims (its sub) and keeps the signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := b64.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	claims["sub"] = "mallory"
	forged, _ := json.Marshal(claims)
	return parts[0] + "." + b64.EncodeToString(forged) + "." + parts[2]
}

// jwksFetches reads archway_auth_jwks_fetches_total{result} from the
// proxy's /metrics (-1 when the series is missing).
func jwksFetches(t *testing.T, p *Proxy, result string) int64 {
	t.Helper()
	series := `archway_auth_jwks_fetches_total{result="` + result + `"} `
	for _, line := range strings.Split(scrape(t, p.AdminPort), "\n") {
		if v, ok := strings.CutPrefix(line, series); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return n
		}
	}
	return -1
}

func kidOf(t *testing.T, token string) string {
	t.Helper()
	header, _, err := hydra.ParseUnverified(token)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := header["kid"].(string)
	return kid
}

// expectStatus sends token (none when "") and checks the status and the
// WWW-Authenticate header.
func expectStatus(t *testing.T, cl *http.Client, p *Proxy, name, token string, status int, www string) {
	t.Helper()
	hdr := http.Header{}
	if token != "" {
		hdr = bearer(token)
	}
	resp, body := do(t, cl, "GET", p.URL("/orders/1"), "api.test", hdr, nil)
	errorBody(t, resp, body, status)
	if got := resp.Header.Get("WWW-Authenticate"); got != www {
		t.Errorf("%s: WWW-Authenticate %q, want %q", name, got, www)
	}
}

// TestJWTWithHydraServesItsTokensFollowsItsRotationAndSurvivesItsOutage
// walks one route through an issuer's life: Hydra's tokens pass and the
// others are refused; a rotated signing key is accepted on first sight at
// the cost of exactly one JWKS fetch; a flood of unknown kids costs at
// most one fetch per cool-down; with Hydra stopped the cached keys keep
// verifying new tokens.
func TestJWTWithHydraServesItsTokensFollowsItsRotationAndSurvivesItsOutage(t *testing.T) {
	s := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	client := s.CreateClient(t, hydra.ClientSpec{
		Scopes: []string{"orders.read", "orders.write"}, Audience: []string{"orders", "billing"}})
	front := s.NewFront(t, s.JWKSURL(), hydra.FrontOptions{})
	be := startBackend(t, "api")
	p := startProxy(t, hydraSnapshot(be, s, front.URL), ProxyOptions{})
	cl := h1Client()
	token := func(scopes, audience []string) string {
		return s.Token(t, client, scopes, audience).AccessToken
	}
	read, orders := []string{"orders.read"}, []string{"orders"}

	// Hydra's token passes, with its sub forwarded and a forged copy dropped.
	hdr := bearer(token(read, orders))
	hdr.Add("X-User", "root")
	e := getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", hdr, nil)
	if got := e.Header("X-User"); len(got) != 1 || got[0] != client.ID {
		t.Errorf("backend saw X-User %q, want [%s] (the client's sub)", got, client.ID)
	}
	if n := front.Calls(); n != 1 {
		t.Errorf("JWKS fetched %d times for the first token, want 1", n)
	}
	if n := jwksFetches(t, p, "success"); n != 1 {
		t.Errorf("archway_auth_jwks_fetches_total{result=\"success\"} = %d after the first fetch, want 1", n)
	}

	// The others are refused.
	expectStatus(t, cl, p, "no token", "", 401, "Bearer")
	expectStatus(t, cl, p, "wrong audience", token(read, []string{"billing"}), 401, `Bearer error="invalid_token"`)
	expectStatus(t, cl, p, "tampered claims", tamper(t, token(read, orders)), 401, `Bearer error="invalid_token"`)
	expectStatus(t, cl, p, "without the route's scope", token([]string{"orders.write"}, orders), 403,
		`Bearer error="insufficient_scope", scope="orders.read"`)

	// Rotation: the first token signed with the new key passes, one fetch.
	oldKeyToken := token(read, orders) // not sent yet: verified later with the cached old key
	newKid := s.RotateSigningKey(t)
	before := front.Calls()
	rotated := token(read, orders)
	if got := kidOf(t, rotated); got != newKid {
		t.Fatalf("Hydra signed with kid %q after the rotation, want %q", got, newKid)
	}
	getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(rotated), nil)
	if n := front.Calls() - before; n != 1 {
		t.Errorf("the rotated key cost %d JWKS fetches, want exactly 1", n)
	}
	if n := jwksFetches(t, p, "success"); n != 2 {
		t.Errorf("archway_auth_jwks_fetches_total{result=\"success\"} = %d after the rotation, want 2", n)
	}

	// A flood of tokens naming kids the issuer never published, signed by a
	// key of ours: all refused, at most one fetch per cool-down.
	mine := newKeys(t, "mine")[0]
	before = front.Calls()
	elapsed := floodUnknownKids(t, cl, p.URL("/orders/1"), func(kid string) string {
		claims := map[string]any{"iss": s.Issuer(), "aud": "orders", "sub": "mallory",
			"scp": read, "exp": time.Now().Add(10 * time.Minute).Unix()}
		return mine.sign(t, claims, kid)
	})
	allowed := int64(elapsed/unknownKidCoolDown) + 1
	if n := front.Calls() - before; n > allowed {
		t.Errorf("a flood of unknown kids over %v caused %d JWKS fetches, want at most %d", elapsed, n, allowed)
	}

	// Hydra stopped: tokens signed with cached keys (old and new) still
	// pass; they were never sent, so each one is a signature check.
	newKeyToken := token(read, orders)
	s.Stop()
	getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(oldKeyToken), nil)
	getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(newKeyToken), nil)
}
