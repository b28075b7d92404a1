package proxye2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestJWTTokenFromACookieOrAQueryParameter: curl sends the token in a cookie
// and in a query parameter (tokenSource); both are accepted and the token
// is gone from what the backend receives, the other cookies and parameters
// kept in order. A bearer token does not count on such a route.
func TestJWTTokenFromACookieOrAQueryParameter(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("curl not installed (scripts/install-deps.sh installs it)")
	}
	be := startBackend(t, "api")
	keys := newKeys(t, "k1")
	idp := startJWKS(t, keys)
	snap := jwtSnapshot(be, idp.srv.URL+"/jwks")
	cookieRoute := snap.VirtualHosts[0].Routes[0]
	cookieRoute.Policies.Auth.Jwt.TokenSource = &TokenSource{Cookie: "session"}
	queryRoute := snap.VirtualHosts[0].Routes[0]
	queryRoute.Name, queryRoute.RuleName = "orders-query", "orders-query"
	queryRoute.Matches = []Match{{Path: prefix("/q/orders")}}
	jwt := *queryRoute.Policies.Auth.Jwt
	jwt.TokenSource = &TokenSource{QueryParameter: "access_token"}
	queryRoute.Policies = &Policies{Auth: &Auth{Jwt: &jwt}}
	snap.VirtualHosts[0].Routes = []Route{cookieRoute, queryRoute}
	p := startProxy(t, snap, ProxyOptions{})

	curl := func(t *testing.T, args ...string) (int, Echo) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		base := []string{"-sS", "--max-time", "10", "-H", "Host: api.test", "-w", "\n%{http_code}"}
		out, err := exec.CommandContext(ctx, "curl", append(base, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		text := string(out)
		cut := strings.LastIndexByte(text, '\n')
		var e Echo
		status := 0
		if _, err := fmt.Sscan(text[cut+1:], &status); err != nil {
			t.Fatalf("curl status %q: %v", text[cut+1:], err)
		}
		if status == 200 {
			if err := json.Unmarshal([]byte(text[:cut]), &e); err != nil {
				t.Fatalf("backend echo %q: %v", text[:cut], err)
			}
		}
		return status, e
	}

	t.Run("cookie", func(t *testing.T) {
		token := keys[0].sign(t, claims("alice", "orders:read"), "")
		status, e := curl(t, "--cookie", "theme=dark; session="+token+"; lang=en", p.URL("/orders/1"))
		if status != 200 {
			t.Fatalf("status %d, want 200", status)
		}
		if got := e.Header("Cookie"); len(got) != 1 || got[0] != "theme=dark; lang=en" {
			t.Errorf("backend saw Cookie %q, want [theme=dark; lang=en]", got)
		}
		if got := e.Header("X-User"); len(got) != 1 || got[0] != "alice" {
			t.Errorf("backend saw X-User %q, want [alice]", got)
		}
		if status, _ := curl(t, "-H", "Authorization: Bearer "+token, p.URL("/orders/1")); status != 401 {
			t.Errorf("bearer on a cookie route: status %d, want 401", status)
		}
	})
	t.Run("query parameter", func(t *testing.T) {
		token := keys[1].sign(t, claims("bob", "orders:read"), "")
		status, e := curl(t, p.URL("/q/orders/1?page=2&access_token="+token+"&sort=asc"))
		if status != 200 {
			t.Fatalf("status %d, want 200", status)
		}
		if e.Query != "page=2&sort=asc" {
			t.Errorf("backend saw query %q, want page=2&sort=asc", e.Query)
		}
		if status, _ := curl(t, p.URL("/q/orders/1?access_token=not.a.jwt")); status != 401 {
			t.Errorf("bad token: status %d, want 401", status)
		}
	})
}
