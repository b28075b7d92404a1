package proxye2e

import (
	"net/http"
	"testing"
)

// TestZeroRouteTimeoutIsNoLimit: a route timeout of `0s` disables that
// limit (docs/decisions.md), where an unset one takes the snapshot's
// limits.requestTimeout: the same slow answer is a 504 on a route without
// timeouts and a 200 on the route with `request: 0s`.
func TestZeroRouteTimeoutIsNoLimit(t *testing.T) {
	b := startBackend(t, "slow")
	unlimited := to("unlimited", Match{Path: prefix("/unlimited")}, "slow")
	unlimited.Timeouts = &Timeouts{Request: "0s", Idle: "0s"}
	bounded := to("bounded", Match{Path: prefix("/bounded")}, "slow")
	bounded.Timeouts = &Timeouts{Request: "0s", BackendRequest: "300ms"}
	snap := Snapshot{
		VirtualHosts: []VirtualHost{{Name: "t", Domains: []string{"timeouts.test"}, Routes: []Route{
			unlimited, bounded, to("default", Match{Path: prefix("/default")}, "slow"),
		}}},
		Clusters: []Cluster{clusterOf("slow", "HTTP", b)},
		Limits:   &Limits{RequestTimeout: "300ms"},
	}
	p := startProxy(t, snap, ProxyOptions{})
	sleep := http.Header{"X-Echo-Sleep": {"700ms"}}
	for _, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			resp, body := do(t, cl.c, "GET", p.URL("/default"), "timeouts.test", sleep, nil)
			errorBody(t, resp, body, 504)
			resp, body = do(t, cl.c, "GET", p.URL("/bounded"), "timeouts.test", sleep, nil)
			errorBody(t, resp, body, 504) // backendRequest still bounds each attempt
			getEcho(t, cl.c, "GET", p.URL("/unlimited"), "timeouts.test", sleep, nil)
		})
	}
}
