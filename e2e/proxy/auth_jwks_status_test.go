package proxye2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// jwksSource is one entry of the admin API's GET /jwks.
type jwksSource struct {
	URI   string `json:"uri"`
	State string `json:"state"`
	Keys  int    `json:"keys"`
	Error string `json:"error"`
}

func jwksStatus(t *testing.T, p *Proxy) []jwksSource {
	t.Helper()
	resp, err := plainClient.Get(fmt.Sprintf("http://127.0.0.1:%d/jwks", p.AdminPort))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Sources []jwksSource `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET /jwks: %v", err)
	}
	return body.Sources
}

// waitJWKSState polls GET /jwks (10 s at most) until the one source is in
// `state`, and returns it.
func waitJWKSState(t *testing.T, p *Proxy, state string) jwksSource {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := jwksStatus(t, p)
		if len(got) == 1 && got[0].State == state {
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /jwks: %+v, want one source %s", got, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJWKSIsFetchedWhenASnapshotArrivesAndItsFailureIsOnTheAdminAPI: with
// no request at all, the proxy fetches a new jwksUri when the snapshot is
// applied; an endpoint answering 503 shows as Failing on GET /jwks with
// the error (and in archway_auth_jwks_fetches_total{result="http_error"});
// once it serves its keys, the next snapshot's fetch makes it Ready.
func TestJWKSIsFetchedWhenASnapshotArrivesAndItsFailureIsOnTheAdminAPI(t *testing.T) {
	be := startBackend(t, "api")
	keys := newKeys(t, "k")
	idp := startJWKS(t, keys)
	var down atomic.Bool
	down.Store(true)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		idp.srv.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(flaky.Close)
	uri := flaky.URL + "/jwks"
	p := startProxy(t, jwtSnapshot(be, uri), ProxyOptions{})

	failing := waitJWKSState(t, p, "Failing")
	if failing.URI != uri || failing.Keys != 0 || !strings.Contains(failing.Error, "answered 503") {
		t.Errorf("GET /jwks: %+v, want %s failing with \"answered 503\" and no keys", failing, uri)
	}
	if n := jwksFetches(t, p, "http_error"); n < 1 {
		t.Errorf(`archway_auth_jwks_fetches_total{result="http_error"} = %d, want >= 1`, n)
	}

	// Fixed; a retry waits 10 s after a failure, then a new snapshot (as
	// the controller's 30 s re-push) fetches again, still with no request.
	down.Store(false)
	time.Sleep(10*time.Second + 100*time.Millisecond)
	snap := jwtSnapshot(be, uri)
	snap.Version = "2"
	p.MustApply(t, snap)
	ready := waitJWKSState(t, p, "Ready")
	if ready.Keys != len(keys) || ready.Error != "" {
		t.Errorf("GET /jwks: %+v, want Ready with %d keys", ready, len(keys))
	}
	if n := idp.fetches.Load(); n != 1 {
		t.Errorf("the key set was served %d times, want 1", n)
	}
}
