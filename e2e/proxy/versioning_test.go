package proxye2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Versioning is the snapshot's versioning policy (docs/versioning.md).
type Versioning struct {
	Sources  []VersionSource `json:"sources"`
	Versions []APIVersion    `json:"versions"`
	Default  string          `json:"default,omitempty"`
}

type VersionSource struct {
	Type      string `json:"type"`
	Name      string `json:"name,omitempty"`
	MediaType string `json:"mediaType,omitempty"`
	Parameter string `json:"parameter,omitempty"`
	Prefix    string `json:"prefix,omitempty"`
	Strip     bool   `json:"strip,omitempty"`
}

type APIVersion struct {
	Name        string     `json:"name"`
	Deprecation string     `json:"deprecation,omitempty"`
	Sunset      string     `json:"sunset,omitempty"`
	Link        string     `json:"link,omitempty"`
	Brownouts   []Brownout `json:"brownouts,omitempty"`
}

type Brownout struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

const (
	v1Deprecation = "2026-01-01T00:00:00Z"
	v1Sunset      = "2027-06-30T12:00:00Z"
	v1Link        = "https://developer.example.com/v1-retirement"
	vendorJSON    = "application/vnd.example+json"
)

func versionedRoute(name, version string, path *PathMatch, cluster string, v *Versioning) Route {
	r := to(name, Match{Path: path, Version: version}, cluster)
	r.RouteName = "e2e/versioned"
	r.Policies = &Policies{Versioning: v}
	return r
}

// versionedSnapshot: api.test reads the version from a header, Accept and
// a query parameter (default 2); path.test from a /v<N> segment, stripped.
// Version 1 is deprecated with a sunset and a link on both.
func versionedSnapshot(backends map[string]*Backend) Snapshot {
	v1 := APIVersion{Name: "1", Deprecation: v1Deprecation, Sunset: v1Sunset, Link: v1Link}
	api := &Versioning{
		Sources: []VersionSource{
			{Type: "Header", Name: "X-Api-Version"},
			{Type: "Accept", MediaType: vendorJSON},
			{Type: "QueryParam", Name: "api-version"},
		},
		Versions: []APIVersion{v1, {Name: "2"}},
		Default:  "2",
	}
	path := &Versioning{
		Sources:  []VersionSource{{Type: "PathSegment", Strip: true}},
		Versions: []APIVersion{v1, {Name: "2"}},
	}
	var clusters []Cluster
	for _, n := range []string{"v1", "v2", "any"} {
		clusters = append(clusters, clusterOf(n, "HTTP", backends[n]))
	}
	return Snapshot{
		VirtualHosts: []VirtualHost{
			{Name: "api", Domains: []string{"api.test"}, Routes: []Route{
				versionedRoute("orders-v1", "1", prefix("/orders"), "v1", api),
				versionedRoute("orders-v2", "2", prefix("/orders"), "v2", api),
			}},
			{Name: "path", Domains: []string{"path.test"}, Routes: []Route{
				versionedRoute("items-v1", "1", prefix("/v1/items"), "v1", path),
				versionedRoute("items-v2", "2", prefix("/v2/items"), "v2", path),
				versionedRoute("rest", "", prefix("/"), "any", path),
			}},
		},
		Clusters: clusters,
	}
}

// TestVersionSources: every source reaches the rule of its version, over
// HTTP/1.1 and h2c; no version gets the default.
func TestVersionSources(t *testing.T) {
	backends := map[string]*Backend{}
	for _, n := range []string{"v1", "v2", "any"} {
		backends[n] = startBackend(t, n)
	}
	p := startProxy(t, versionedSnapshot(backends), ProxyOptions{})
	cases := []struct {
		name, path, host string
		hdr              http.Header
		backend          string
		backendPath      string
	}{
		{"header v1", "/orders/7", "api.test", http.Header{"X-Api-Version": {"1"}}, "v1", "/orders/7"},
		{"header v2", "/orders/7", "api.test", http.Header{"X-Api-Version": {"2"}}, "v2", "/orders/7"},
		{"accept v1", "/orders", "api.test", http.Header{"Accept": {vendorJSON + "; version=1"}}, "v1", "/orders"},
		{"accept quality", "/orders", "api.test",
			http.Header{"Accept": {vendorJSON + `; version="1"; q=0.4, ` + vendorJSON + "; version=2; q=0.8"}}, "v2", "/orders"},
		{"accept q=0 excluded", "/orders", "api.test",
			http.Header{"Accept": {vendorJSON + "; version=2; q=0, */*; version=1; q=0.1"}}, "v1", "/orders"},
		{"accept other media type ignored", "/orders", "api.test",
			http.Header{"Accept": {"application/json; version=1"}}, "v2", "/orders"},
		{"query v1", "/orders?api-version=1", "api.test", nil, "v1", "/orders"},
		{"header before query", "/orders?api-version=1", "api.test", http.Header{"X-Api-Version": {"2"}}, "v2", "/orders"},
		{"default", "/orders", "api.test", nil, "v2", "/orders"},
		{"path v1 stripped", "/v1/items/3", "path.test", nil, "v1", "/items/3"},
		{"path v2 stripped", "/v2/items", "path.test", nil, "v2", "/items"},
		{"path without version segment", "/vendors", "path.test", nil, "", ""},
	}
	for _, cl := range clients() {
		for _, c := range cases {
			resp, body := do(t, cl.c, "GET", p.URL(c.path), c.host, c.hdr, nil)
			if c.backend == "" {
				// No path version and no default: 400 with the supported list.
				expectVersionError(t, resp, body, 400)
				continue
			}
			e := echoOf(t, resp, body)
			if e.Name != c.backend || e.Path != c.backendPath {
				t.Errorf("%s %s: reached %s %s, want %s %s", cl.name, c.name, e.Name, e.Path,
					c.backend, c.backendPath)
			}
			deprecated := resp.Header.Get("Deprecation") != ""
			if deprecated != (c.backend == "v1") {
				t.Errorf("%s %s: Deprecation %q on version %s", cl.name, c.name,
					resp.Header.Get("Deprecation"), c.backend)
			}
		}
	}
	metrics := scrape(t, p.AdminPort)
	series := `archway_version_requests_total{route="e2e/versioned",rule="orders-v1",version="1"}`
	if got := metricValue(metrics, series); got != 8 { // 4 v1 cases × 2 clients
		t.Errorf("%s = %v, want 8\n%s", series, got, grepLines(metrics, "archway_version"))
	}
}

// TestVersionUnknown: an unknown version is 406 from Accept and 400 from
// any other source, with the supported versions in the JSON body.
func TestVersionUnknown(t *testing.T) {
	backends := map[string]*Backend{}
	for _, n := range []string{"v1", "v2", "any"} {
		backends[n] = startBackend(t, n)
	}
	p := startProxy(t, versionedSnapshot(backends), ProxyOptions{})
	cases := []struct {
		name, path, host string
		hdr              http.Header
		status           int
	}{
		{"header", "/orders", "api.test", http.Header{"X-Api-Version": {"9"}}, 400},
		{"accept", "/orders", "api.test", http.Header{"Accept": {vendorJSON + "; version=9"}}, 406},
		{"query", "/orders?api-version=0", "api.test", nil, 400},
		{"path", "/v9/items", "path.test", nil, 400},
	}
	for _, cl := range clients() {
		for _, c := range cases {
			resp, body := do(t, cl.c, "GET", p.URL(c.path), c.host, c.hdr, nil)
			expectVersionError(t, resp, body, c.status)
			if resp.Header.Get("Deprecation") != "" {
				t.Errorf("%s %s: an unknown version's answer carries Deprecation", cl.name, c.name)
			}
		}
	}
	for _, b := range backends {
		if n := b.Stats(t).Requests; n != 0 {
			t.Errorf("backend %s got %d requests for unknown versions", b.Name, n)
		}
	}
}

// TestVersionDeprecationHeaders: a deprecated version's responses carry
// Deprecation (RFC 9745: an RFC 9651 Date), Sunset (RFC 8594: an
// HTTP-date) and Link with rel="deprecation" and rel="sunset", each
// parsed here as a client would.
func TestVersionDeprecationHeaders(t *testing.T) {
	backends := map[string]*Backend{}
	for _, n := range []string{"v1", "v2", "any"} {
		backends[n] = startBackend(t, n)
	}
	p := startProxy(t, versionedSnapshot(backends), ProxyOptions{})
	wantDeprecation, _ := time.Parse(time.RFC3339, v1Deprecation)
	wantSunset, _ := time.Parse(time.RFC3339, v1Sunset)
	for _, cl := range clients() {
		for _, req := range []struct{ path, host string }{{"/orders?api-version=1", "api.test"}, {"/v1/items", "path.test"}} {
			resp, _ := do(t, cl.c, "GET", p.URL(req.path), req.host, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: status %d", cl.name, req.path, resp.StatusCode)
			}
			deprecation, err := parseSfDate(resp.Header.Get("Deprecation"))
			if err != nil || !deprecation.Equal(wantDeprecation) {
				t.Errorf("%s: Deprecation %q (%v), want @%d", cl.name, resp.Header.Get("Deprecation"),
					err, wantDeprecation.Unix())
			}
			sunset, err := http.ParseTime(resp.Header.Get("Sunset"))
			if err != nil || !sunset.Equal(wantSunset) {
				t.Errorf("%s: Sunset %q (%v), want %v", cl.name, resp.Header.Get("Sunset"), err, wantSunset)
			}
			if _, err := time.Parse(http.TimeFormat, resp.Header.Get("Sunset")); err != nil {
				t.Errorf("%s: Sunset %q is not IMF-fixdate: %v", cl.name, resp.Header.Get("Sunset"), err)
			}
			rels := linkRelations(resp.Header.Values("Link"))
			if !slices.Equal(rels[v1Link], []string{"deprecation", "sunset"}) {
				t.Errorf("%s: Link %q, want <%s> with rel deprecation and sunset", cl.name,
					resp.Header.Values("Link"), v1Link)
			}
		}
	}
}

// TestVersionBrownout: a window a few seconds long, opening shortly after
// the snapshot is applied, answers 410 (with the deprecation fields) for
// the deprecated version only, and the version serves again after it.
func TestVersionBrownout(t *testing.T) {
	v1 := startBackend(t, "v1")
	v2 := startBackend(t, "v2")
	start := time.Now().UTC().Truncate(time.Second).Add(3 * time.Second)
	end := start.Add(3 * time.Second)
	versioning := &Versioning{
		Sources: []VersionSource{{Type: "Header", Name: "X-Api-Version"}},
		Versions: []APIVersion{{Name: "1", Deprecation: v1Deprecation, Brownouts: []Brownout{
			{Start: start.Format(time.RFC3339), End: end.Format(time.RFC3339)}}}, {Name: "2"}},
		Default: "2",
	}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "b", Domains: []string{"*"}, Routes: []Route{
			versionedRoute("v1", "1", prefix("/"), "v1", versioning),
			versionedRoute("v2", "2", prefix("/"), "v2", versioning),
		}}},
		Clusters: []Cluster{clusterOf("v1", "HTTP", v1), clusterOf("v2", "HTTP", v2)},
	}
	p := startProxy(t, snap, ProxyOptions{})
	c := h1Client()
	v1Header := http.Header{"X-Api-Version": {"1"}}
	status := func(hdr http.Header) (int, *http.Response, []byte) {
		resp, body := do(t, c, "GET", p.URL("/x"), "", hdr, nil)
		return resp.StatusCode, resp, body
	}
	if time.Now().Before(start.Add(-500 * time.Millisecond)) {
		if s, _, body := status(v1Header); s != 200 {
			t.Fatalf("before the window: status %d, want 200: %s", s, trunc(body))
		}
	}
	// Inside the window (half a second in, bounded by its end).
	time.Sleep(time.Until(start.Add(500 * time.Millisecond)))
	s, resp, body := status(v1Header)
	if time.Now().Before(end) {
		expectVersionError(t, resp, body, 410)
		if d, err := parseSfDate(resp.Header.Get("Deprecation")); err != nil || d.Format(time.RFC3339) != v1Deprecation {
			t.Errorf("410 Deprecation %q (%v), want %s", resp.Header.Get("Deprecation"), err, v1Deprecation)
		}
		if s2, _, _ := status(http.Header{"X-Api-Version": {"2"}}); s2 != 200 {
			t.Errorf("version 2 during version 1's brownout: status %d, want 200", s2)
		}
	} else {
		t.Fatalf("machine too slow: the window closed before the request (status %d)", s)
	}
	// After the window: served again.
	time.Sleep(time.Until(end.Add(500 * time.Millisecond)))
	if s, _, body := status(v1Header); s != 200 {
		t.Fatalf("after the window: status %d, want 200: %s", s, trunc(body))
	}
	if n := v1.Stats(t).Requests; n < 1 {
		t.Errorf("backend v1 got %d requests, want at least the one after the window", n)
	}
}

// expectVersionError checks the JSON error body with the supported versions.
func expectVersionError(t *testing.T, resp *http.Response, body []byte, status int) {
	t.Helper()
	errorBody(t, resp, body, status)
	var e struct {
		Supported []string `json:"supported"`
	}
	if err := json.Unmarshal(body, &e); err != nil || !slices.Equal(e.Supported, []string{"1", "2"}) {
		t.Errorf("status %d: body %q does not list supported [1 2]", status, trunc(body))
	}
}

// parseSfDate reads an RFC 9651 Date item: "@" and an integer (seconds).
func parseSfDate(value string) (time.Time, error) {
	if !strings.HasPrefix(value, "@") {
		return time.Time{}, fmt.Errorf("%q is not an sf-date", value)
	}
	seconds, err := strconv.ParseInt(value[1:], 10, 64)
	if err != nil || len(value) > 16 || strings.ContainsAny(value[1:], "+ ") {
		return time.Time{}, fmt.Errorf("%q is not an sf-date", value)
	}
	return time.Unix(seconds, 0).UTC(), nil
}

// linkRelations parses Link field values (RFC 8288) into target → rels.
func linkRelations(values []string) map[string][]string {
	out := map[string][]string{}
	for _, value := range values {
		for _, link := range strings.Split(value, ",") {
			link = strings.TrimSpace(link)
			end := strings.Index(link, ">")
			if !strings.HasPrefix(link, "<") || end < 0 {
				continue
			}
			target := link[1:end]
			for _, param := range strings.Split(link[end+1:], ";") {
				name, val, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.EqualFold(name, "rel") {
					out[target] = append(out[target], strings.Trim(val, `"`))
				}
			}
		}
	}
	return out
}
