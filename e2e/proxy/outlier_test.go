package proxye2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOutlierEjectsAnEndpointAnswering5xxAndTakesItBack: of two endpoints,
// "bad" answers 500 to every request; after consecutive5xx of them it is
// ejected and "good" takes every request, the ejection is counted, and
// once baseEjectionTime has passed "bad" (healthy again) takes its share.
func TestOutlierEjectsAnEndpointAnswering5xxAndTakesItBack(t *testing.T) {
	good, bad := startBackend(t, "good"), startBackend(t, "bad")
	r := to("app", Match{Path: prefix("/")}, "app")
	r.Policies = &Policies{CircuitBreaker: &CircuitBreaker{
		Consecutive5xx: intp(3), BaseEjectionTime: "2s", MaxEjectionPercent: intp(50)}}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "o", Domains: []string{"outlier.test"}, Routes: []Route{r}}},
		Clusters:     []Cluster{roundRobin(clusterOf("app", "HTTP", good, bad))},
	}
	p := startProxy(t, snap, ProxyOptions{})
	c := h1Client()
	failing := http.Header{"X-Echo-Status-For": {"bad=500"}}

	var from []string
	for i := 0; i < 30; i++ {
		resp, _ := do(t, c, "GET", p.URL("/"), "outlier.test", failing, nil)
		from = append(from, resp.Header.Get("X-Backend-Name")+":"+resp.Status[:3])
	}
	bad500 := strings.Count(strings.Join(from, " "), "bad:500")
	if bad500 < 3 || bad500 > 4 {
		t.Errorf("bad answered %d requests before its ejection, want 3 (4 at most, one in flight): %v", bad500, from)
	}
	for _, f := range from[15:] {
		if f != "good:200" {
			t.Fatalf("after the ejection a request went to %s, want only good:200: %v", f, from)
		}
	}
	metrics := scrape(t, p.AdminPort)
	for series, want := range map[string]float64{
		`archway_outlier_ejections_total{cluster="app"}`:   1,
		`archway_outlier_ejected_endpoints{cluster="app"}`: 1,
	} {
		if v := metricValue(metrics, series); v != want {
			t.Errorf("%s = %v, want %v\n%s", series, v, want, grepLines(metrics, "outlier"))
		}
	}

	time.Sleep(2200 * time.Millisecond) // baseEjectionTime × 1
	seen := map[string]int{}
	for i := 0; i < 10; i++ {
		e := getEcho(t, c, "GET", p.URL("/"), "outlier.test", nil, nil)
		seen[e.Name]++
	}
	if seen["bad"] == 0 || seen["good"] == 0 {
		t.Errorf("after baseEjectionTime, answers by backend %v, want both", seen)
	}
	metrics = scrape(t, p.AdminPort)
	if v := metricValue(metrics, `archway_outlier_ejected_endpoints{cluster="app"}`); v != 0 {
		t.Errorf("archway_outlier_ejected_endpoints = %v after the ejection ended, want 0", v)
	}
}

// TestOutlierEjectsAnEndpointThatRefusesConnections: consecutive connection
// failures eject too; with the other endpoint up, requests stop failing
// once the dead one is out.
func TestOutlierEjectsAnEndpointThatRefusesConnections(t *testing.T) {
	good, dead := startBackend(t, "good"), startBackend(t, "dead")
	r := to("app", Match{Path: prefix("/")}, "app")
	r.Policies = &Policies{CircuitBreaker: &CircuitBreaker{Consecutive5xx: intp(2), BaseEjectionTime: "30s"}}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "o", Domains: []string{"outlier.test"}, Routes: []Route{r}}},
		Clusters:     []Cluster{roundRobin(clusterOf("app", "HTTP", good, dead))},
	}
	p := startProxy(t, snap, ProxyOptions{})
	dead.Kill()
	c := h1Client()
	failed := 0
	for i := 0; i < 20; i++ {
		resp, _ := do(t, c, "GET", p.URL("/"), "outlier.test", nil, nil)
		if resp.StatusCode != 200 {
			failed++
			if i >= 10 {
				t.Errorf("request %d: status %d after the dead endpoint should be out", i, resp.StatusCode)
			}
		}
	}
	if failed < 2 || failed > 3 {
		t.Errorf("%d requests failed, want 2 (3 at most) before the ejection", failed)
	}
}

// roundRobin: these tests count how many requests reach the failing
// endpoint before it is ejected, so they take turns instead of the default
// least request's random choice among idle endpoints.
func roundRobin(c Cluster) Cluster {
	c.LoadBalancer = &LoadBalancer{Policy: "RoundRobin"}
	return c
}
