package proxye2e

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"strings"
	"testing"
)

// The auth.apiKey policy on the wire (docs/auth.md "API keys"), through
// HTTP/1.1 and h2c: the snapshot holds digests, clients send keys.

func digestOf(key string) string {
	d := sha256.Sum256([]byte(key))
	return hex.EncodeToString(d[:])
}

// TestAPIKeyRightKeyPassesAsItsIdAndTheHeaderNeverReachesTheBackend: both
// keys of a rotated id pass and log the id as the identity; a wrong,
// missing, empty or repeated key gets 401 with the ApiKey challenge; the
// backend never sees the header; no key is in the proxy's log.
func TestAPIKeyRightKeyPassesAsItsIdAndTheHeaderNeverReachesTheBackend(t *testing.T) {
	be := startBackend(t, "api")
	const oldKey, newKey, otherKey = "ak_old_1a2b3c4d5e6f7081", "ak_new_9f8e7d6c5b4a3921", "ak_partner_77665544"
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "k", Domains: []string{"*"}, Routes: []Route{{
			Name: "orders", RouteName: "e2e/keyed", RuleName: "orders",
			Matches:  []Match{{Path: prefix("/orders")}},
			Backends: []WeightedBackend{{Cluster: "api", Weight: 1}},
			Policies: &Policies{Auth: &Auth{APIKey: &APIKeyAuth{Header: "x-partner-key", Keys: []APIKeyDigest{
				{ID: "team-a", SHA256: digestOf(oldKey)}, {ID: "team-a", SHA256: digestOf(newKey)},
				{ID: "partner", SHA256: digestOf(otherKey)},
			}}}},
		}}}},
		Clusters: []Cluster{{Name: "api", Endpoints: []Endpoint{{Address: "127.0.0.1", Port: be.Port}}}},
	}
	p := startProxy(t, snap, ProxyOptions{})
	n := 0
	identities := map[string]string{} // trace id → identity the line must carry
	for _, cl := range clients() {
		for _, c := range []struct{ key, id string }{{oldKey, "team-a"}, {newKey, "team-a"}, {otherKey, "partner"}} {
			n++
			trace := traceFor(0x4000 + n)
			hdr := traceparent(trace)
			hdr.Set("X-Partner-Key", c.key)
			e := getEcho(t, cl.c, "GET", p.URL("/orders/1"), "api.test", hdr, nil)
			if got := e.Header("X-Partner-Key"); len(got) != 0 {
				t.Errorf("%s: the backend saw the key header %q", cl.name, got)
			}
			identities[trace] = c.id
		}
		refusals := []struct {
			name string
			hdr  http.Header
			www  string
		}{
			{"wrong key", http.Header{"X-Partner-Key": {"ak_wrong_000000000000"}}, `ApiKey header="x-partner-key", error="invalid_key"`},
			{"no key", http.Header{}, `ApiKey header="x-partner-key"`},
			{"key in another header", http.Header{"X-Api-Key": {newKey}}, `ApiKey header="x-partner-key"`},
			{"empty", http.Header{"X-Partner-Key": {""}}, `ApiKey header="x-partner-key", error="invalid_key"`},
			{"twice", http.Header{"X-Partner-Key": {newKey, newKey}}, `ApiKey header="x-partner-key", error="invalid_key"`},
		}
		for _, r := range refusals {
			n++
			trace := traceFor(0x4000 + n)
			for k, v := range traceparent(trace) {
				r.hdr[k] = v
			}
			resp, body := do(t, cl.c, "GET", p.URL("/orders/1"), "api.test", r.hdr, nil)
			errorBody(t, resp, body, 401)
			// DESIGN.md §4's Bearer challenge first, then the API key's own.
			bearer := `Bearer error="invalid_token"`
			if !strings.Contains(r.www, "error=") {
				bearer = "Bearer"
			}
			if got := resp.Header.Values("WWW-Authenticate"); len(got) != 2 || got[0] != bearer || got[1] != r.www {
				t.Errorf("%s %s: WWW-Authenticate %q, want [%q %q]", cl.name, r.name, got, bearer, r.www)
			}
			identities[trace] = ""
		}
	}
	var lines map[string]accessLine
	waitFor(func() bool { lines = accessLines(t, p.Log); return len(lines) >= len(identities) })
	for trace, want := range identities {
		l, ok := lines[trace]
		switch {
		case !ok:
			t.Errorf("no access log line for trace %s", trace)
		case want == "" && l.Identity != nil:
			t.Errorf("a refused request logged identity %q", *l.Identity)
		case want != "" && (l.Identity == nil || *l.Identity != want):
			t.Errorf("trace %s: identity %v, want %q", trace, l.Identity, want)
		}
	}
	// Per client: one wrong key, one absent (twice: no field, another
	// header), one empty, one repeated.
	metrics := scrape(t, p.AdminPort)
	for reason, want := range map[string]float64{"unknown_key": 2, "missing_key": 4, "malformed": 2, "repeated_header": 2} {
		series := `archway_auth_failures_total{route="e2e/keyed",rule="orders",reason="` + reason + `"}`
		if v := metricValue(metrics, series); v != want {
			t.Errorf("%s = %v, want %v\n%s", series, v, want, grepLines(metrics, "auth_failures"))
		}
	}
	log, err := os.ReadFile(p.Log)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{oldKey, newKey, otherKey} {
		if strings.Contains(string(log), key) {
			t.Errorf("the proxy's log holds a key")
		}
	}
}
