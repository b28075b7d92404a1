package proxye2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"archway.dev/e2e/internal/hydra"
)

// The auth.oauth2Introspection policy end to end against Ory Hydra issuing
// opaque tokens (docs/e2e-identity.md): the proxy asks Hydra's admin
// introspection endpoint through a counting front that demands the
// route's client credentials (Hydra's admin port asks for none), real Go
// clients send the tokens.

const introspectionScope = "orders.read"

// ordersAudience is what /aud accepts in the answer's aud.
const ordersAudience = "orders-api"

// introspectionIdP is one Hydra issuing opaque tokens, a client that gets
// them, and the front the proxy introspects through.
type introspectionIdP struct {
	hydra  *hydra.Server
	app    hydra.Client // gets the tokens the tests send
	caller hydra.Client // the proxy's introspection credentials
	front  *hydra.Front
}

func startIntrospectionIdP(t *testing.T) *introspectionIdP {
	t.Helper()
	s := hydra.Start(t, hydra.Options{Strategy: hydra.Opaque})
	idp := &introspectionIdP{
		hydra: s,
		app: s.CreateClient(t, hydra.ClientSpec{Scopes: []string{introspectionScope, "orders.write"},
			Audience: []string{ordersAudience, "billing-api"}}),
		caller: s.CreateClient(t, hydra.ClientSpec{}),
	}
	idp.front = s.NewFront(t, s.IntrospectionURL(), hydra.FrontOptions{Credentials: &idp.caller})
	return idp
}

func (idp *introspectionIdP) token(t *testing.T, scopes ...string) string {
	t.Helper()
	return idp.hydra.Token(t, idp.app, scopes, nil).AccessToken
}

// tokenFor is a token whose introspection names `audience` in aud.
func (idp *introspectionIdP) tokenFor(t *testing.T, audience string) string {
	t.Helper()
	return idp.hydra.Token(t, idp.app, []string{introspectionScope}, []string{audience}).AccessToken
}

// introspectionRoute guards `prefix` with introspection cached for `ttl`.
func introspectionRoute(idp *introspectionIdP, prefixPath, ttl string) Route {
	return Route{
		Name: strings.TrimPrefix(prefixPath, "/"), RouteName: "e2e/introspection",
		RuleName: strings.TrimPrefix(prefixPath, "/"),
		Matches:  []Match{{Path: prefix(prefixPath)}},
		Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
		Policies: &Policies{Auth: &Auth{OAuth2Introspection: &OAuth2Introspection{
			Endpoint: idp.front.URL, ClientID: idp.caller.ID, ClientSecret: idp.caller.Secret,
			RequiredScopes: []string{introspectionScope}, CacheTTL: ttl,
		}}},
	}
}

// /orders caches answers for 30 s, /short for 1 s (the revocation bound);
// /aud wants aud to name ordersAudience and forwards the answer's
// client_id; /grace caches for 1 s and keeps active answers graceTTL more
// while the endpoint fails.
func introspectionSnapshot(be *Backend, idp *introspectionIdP) Snapshot {
	aud := introspectionRoute(idp, "/aud", "30s")
	aud.Policies.Auth.OAuth2Introspection.Audiences = []string{ordersAudience}
	aud.Policies.Auth.OAuth2Introspection.ForwardClaims = []ForwardClaim{
		{Claim: "client_id", Header: "X-Client"}, {Claim: "sub", Header: "X-Subject"}}
	grace := introspectionRoute(idp, "/grace", "1s")
	grace.Policies.Auth.OAuth2Introspection.StaleGrace = graceTTL.String()
	return Snapshot{
		VirtualHosts: []VirtualHost{{Name: "i", Domains: []string{"*"}, Routes: []Route{
			introspectionRoute(idp, "/orders", "30s"),
			introspectionRoute(idp, "/short", "1s"),
			aud, grace,
		}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
}

func statusOf(t *testing.T, cl *http.Client, url string, hdr http.Header) (int, http.Header) {
	t.Helper()
	resp, _ := do(t, cl, "GET", url, "api.test", hdr, nil)
	return resp.StatusCode, resp.Header
}

// One Hydra for the whole sequence (starting one costs seconds of key
// generation); the last subtest stops it.
func TestIntrospectionWithHydra(t *testing.T) {
	be := startBackend(t, "api")
	idp := startIntrospectionIdP(t)
	p := startProxy(t, introspectionSnapshot(be, idp), ProxyOptions{})
	cl := h1Client()

	t.Run("ValidTokensPassOthersAreRefused", func(t *testing.T) {
		getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(idp.token(t, introspectionScope)), nil)
		refusals := []struct {
			name   string
			hdr    http.Header
			status int
			www    string
		}{
			{"no token", nil, 401, "Bearer"},
			{"garbage", bearer("not-a-token-hydra-issued"), 401, `Bearer error="invalid_token"`},
			{"missing scope", bearer(idp.token(t, "orders.write")), 403,
				`Bearer error="insufficient_scope", scope="orders.read"`},
		}
		for _, c := range refusals {
			resp, body := do(t, cl, "GET", p.URL("/orders/1"), "api.test", c.hdr, nil)
			errorBody(t, resp, body, c.status)
			if got := resp.Header.Get("WWW-Authenticate"); got != c.www {
				t.Errorf("%s: WWW-Authenticate %q, want %q", c.name, got, c.www)
			}
		}
		if n := idp.front.Refusals(); n != 0 {
			t.Errorf("the front refused %d introspection calls without our client credentials", n)
		}
		if idp.front.Calls() == 0 {
			t.Errorf("no introspection call reached Hydra")
		}
	})

	t.Run("RevokedTokenIsRefusedWithinCacheTTL", func(t *testing.T) {
		const ttl = time.Second
		tok := idp.token(t, introspectionScope)
		getEcho(t, cl, "GET", p.URL("/short"), "api.test", bearer(tok), nil) // cached now
		idp.hydra.Revoke(t, idp.app, tok)
		revoked := time.Now()
		if got := idp.hydra.Introspect(t, tok); got.Active {
			t.Fatalf("Hydra still calls the token active after revocation")
		}
		deadline := revoked.Add(10 * time.Second)
		for {
			code, _ := statusOf(t, cl, p.URL("/short"), bearer(tok))
			if code == 401 {
				break
			}
			if code != 200 {
				t.Fatalf("revoked token got %d, want 200 (cached) then 401", code)
			}
			if time.Now().After(deadline) {
				t.Fatalf("revoked token still served %v after revocation", time.Since(revoked))
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The bound is cacheTTL; the margin covers one introspection call
		// and the poll interval on a loaded machine.
		if took := time.Since(revoked); took > ttl+750*time.Millisecond {
			t.Errorf("revoked token refused only after %v, want within cacheTTL %v", took, ttl)
		}
	})

	t.Run("ConcurrentFirstUsesMakeOneIntrospectionCall", func(t *testing.T) {
		tok := idp.token(t, introspectionScope)
		before := idp.front.Calls()
		const n = 1000
		h2 := h2cClient()
		var wg sync.WaitGroup
		var wrong atomic.Int64
		var firstErr atomic.Value
		startGate := make(chan struct{})
		slots := make(chan struct{}, 250) // bounded: at most 250 in flight
		deadline := time.Now().Add(60 * time.Second)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-startGate
				slots <- struct{}{}
				defer func() { <-slots }()
				if time.Now().After(deadline) {
					wrong.Add(1)
					return
				}
				req, _ := http.NewRequest("GET", p.URL("/orders/c"), nil)
				req.Host = "api.test"
				req.Header = bearer(tok)
				resp, err := h2.Do(req)
				if err != nil {
					wrong.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					wrong.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("status %d", resp.StatusCode))
				}
			}()
		}
		close(startGate)
		wg.Wait()
		if w := wrong.Load(); w != 0 {
			t.Errorf("%d of %d requests were not served (first: %v)", w, n, firstErr.Load())
		}
		if calls := idp.front.Calls() - before; calls != 1 {
			t.Errorf("%d concurrent first uses of one token made %d introspection calls, want 1", n, calls)
		}
	})

	t.Run("AudMustNameTheRouteAudienceAndClaimsAreForwarded", func(t *testing.T) {
		tok := idp.tokenFor(t, ordersAudience)
		if got := idp.hydra.Introspect(t, tok).Audience; len(got) != 1 || got[0] != ordersAudience {
			t.Fatalf("Hydra's answer has aud %q, want [%s]", got, ordersAudience)
		}
		hdr := bearer(tok)
		hdr.Add("X-Client", "forged-client")
		hdr.Add("X-Subject", "root")
		e := getEcho(t, cl, "GET", p.URL("/aud/1"), "api.test", hdr, nil)
		if got := e.Header("X-Client"); len(got) != 1 || got[0] != idp.app.ID {
			t.Errorf("backend saw X-Client %q, want [%s] (the answer's client_id)", got, idp.app.ID)
		}
		if got := e.Header("X-Subject"); len(got) != 1 || got[0] != idp.app.ID {
			t.Errorf("backend saw X-Subject %q, want [%s] (the answer's sub)", got, idp.app.ID)
		}
		for _, c := range []struct{ name, token string }{
			{"another audience", idp.tokenFor(t, "billing-api")},
			{"no audience", idp.token(t, introspectionScope)},
		} {
			resp, body := do(t, cl, "GET", p.URL("/aud/1"), "api.test", bearer(c.token), nil)
			errorBody(t, resp, body, 401)
			if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Errorf("%s: WWW-Authenticate %q", c.name, got)
			}
			// The same token is fine where no audience is asked for.
			getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(c.token), nil)
		}
		series := `archway_auth_failures_total{route="e2e/introspection",rule="aud",reason="wrong_audience"}`
		if got := metricValue(scrape(t, p.AdminPort), series); got != 2 {
			t.Errorf("%s = %v, want 2", series, got)
		}
	})

	t.Run("HydraStoppedFailsClosed", func(t *testing.T) {
		cached := idp.token(t, introspectionScope)
		getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(cached), nil)
		unseen := idp.token(t, introspectionScope)
		graced := idp.token(t, introspectionScope)
		getEcho(t, cl, "GET", p.URL("/grace/1"), "api.test", bearer(graced), nil)
		gracedAt := time.Now() // the answer is fresh until +1s, usable until +1s+graceTTL
		idp.hydra.Stop()
		resp, body := do(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(unseen), nil)
		errorBody(t, resp, body, 503)
		if got := resp.Header.Get("WWW-Authenticate"); got != "" {
			t.Errorf("503 carries WWW-Authenticate %q: the token was not judged", got)
		}
		// An answer cached before Hydra stopped stands until its cacheTTL.
		getEcho(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer(cached), nil)
		// Nothing down the line: a refused token is not let through either.
		resp, body = do(t, cl, "GET", p.URL("/orders/1"), "api.test", bearer("never-issued"), nil)
		errorBody(t, resp, body, 503)

		// staleGracePeriod: past its cacheTTL, the answer stands in while the
		// endpoint fails (the front answers 502), counted; past the grace, 503.
		time.Sleep(time.Until(gracedAt.Add(1500 * time.Millisecond)))
		code, _ := statusOf(t, cl, p.URL("/grace/1"), bearer(graced))
		if since := time.Since(gracedAt); since >= time.Second+graceTTL {
			t.Fatalf("stopping Hydra took past the grace (%v): nothing to check", since)
		}
		if code != 200 {
			t.Errorf("past cacheTTL, within the grace, the token got %d, want 200", code)
		}
		// A route without a grace has nothing to stand in: 503.
		if code, _ := statusOf(t, cl, p.URL("/short"), bearer(graced)); code != 503 {
			t.Errorf("a route without staleGracePeriod answered %d while Hydra is down, want 503", code)
		}
		stale := `archway_auth_introspection_stale_total{route="e2e/introspection",rule="grace"}`
		if got := metricValue(scrape(t, p.AdminPort), stale); got < 1 {
			t.Errorf("%s = %v, want ≥ 1", stale, got)
		}
		time.Sleep(time.Until(gracedAt.Add(time.Second + graceTTL + 500*time.Millisecond)))
		resp, body = do(t, cl, "GET", p.URL("/grace/1"), "api.test", bearer(graced), nil)
		errorBody(t, resp, body, 503)
	})
}

// graceTTL is /grace's staleGracePeriod: long enough that stopping Hydra
// (a process exit) fits in it on a loaded machine.
const graceTTL = 4 * time.Second
