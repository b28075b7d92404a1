package proxye2e

// Aggregation end to end (docs/aggregation.md): one route composes the
// JSON of three real test-backend processes ("orders", "customers",
// "stock"); part paths carry the test-backend's controls as query
// parameters (?x-echo-sleep=...), since a part's request is the proxy's,
// not the test's.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Aggregate is the snapshot's aggregate policy (docs/snapshot.md).
type Aggregate struct {
	Parts                []AggregatePart `json:"parts"`
	OnPartialFailure     string          `json:"onPartialFailure,omitempty"`
	ForwardHeaders       []string        `json:"forwardHeaders,omitempty"`
	ForwardAuthorization bool            `json:"forwardAuthorization,omitempty"`
}

type AggregatePart struct {
	Name         string `json:"name"`
	Cluster      string `json:"cluster"`
	Path         string `json:"path"`
	Timeout      string `json:"timeout,omitempty"`
	Required     *bool  `json:"required,omitempty"`
	MaxBodyBytes int64  `json:"maxBodyBytes,omitempty"`
}

func optional() *bool { f := false; return &f }

const aggregateHost = "shop.test"

// aggregateRoute composes `parts` for GET /<rule>/{id}.
func aggregateRoute(rule string, a *Aggregate) Route {
	return Route{Name: "e2e/shop/" + rule, RouteName: "e2e/shop", RuleName: rule,
		Matches:  []Match{{Path: tmpl("/" + rule + "/{id}")}},
		Timeouts: &Timeouts{Request: "10s"},
		Policies: &Policies{Aggregate: a}}
}

// threeBackends starts the three part services and a snapshot holding
// `routes` over them; cluster "gone" is a port nothing listens on.
func threeBackends(t *testing.T, routes ...Route) (orders, customers, stock *Backend, snap Snapshot) {
	orders = startBackend(t, "orders")
	customers = startBackend(t, "customers")
	stock = startBackend(t, "stock")
	gone := startBackend(t, "gone")
	gone.Kill()
	snap = Snapshot{
		VirtualHosts: []VirtualHost{{Name: "shop", Domains: []string{"*"}, Routes: routes}},
		Clusters: []Cluster{clusterOf("orders", "HTTP", orders), clusterOf("customers", "HTTP", customers),
			clusterOf("stock", "HTTP", stock), clusterOf("gone", "HTTP", gone)},
	}
	return
}

// composed parses an aggregate's 200 body: part name → raw JSON.
func composed(t *testing.T, resp *http.Response, body []byte) map[string]json.RawMessage {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200: %s", resp.StatusCode, trunc(body))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content-type %q, want application/json", ct)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, trunc(body))
	}
	return out
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func problems(t *testing.T, parts map[string]json.RawMessage) map[string]problem {
	t.Helper()
	out := map[string]problem{}
	if raw, ok := parts["_errors"]; ok {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("_errors: %v: %s", err, raw)
		}
	}
	return out
}

func echoPart(t *testing.T, parts map[string]json.RawMessage, name string) Echo {
	t.Helper()
	var e Echo
	if err := json.Unmarshal(parts[name], &e); err != nil {
		t.Fatalf("part %s: %v: %s", name, err, parts[name])
	}
	return e
}

// TestAggregateAllPartsSucceed: the three parts are fetched with their
// template filled (percent-encoded), the default headers forwarded and
// Authorization not, and merged under their names; over HTTP/1.1 and h2c.
func TestAggregateAllPartsSucceed(t *testing.T) {
	_, _, _, snap := threeBackends(t, aggregateRoute("all", &Aggregate{Parts: []AggregatePart{
		{Name: "order", Cluster: "orders", Path: "/orders/{id}"},
		{Name: "customer", Cluster: "customers", Path: "/customers/by-order/{id}?full=1"},
		{Name: "stock", Cluster: "stock", Path: "/stock?order={id}"},
	}}))
	p := startProxy(t, snap, ProxyOptions{})
	for i, cl := range clients() {
		t.Run(cl.name, func(t *testing.T) {
			trace := traceFor(0x16000 + i)
			h := traceparent(trace)
			h.Set("Authorization", "Bearer secret")
			h.Set("Accept-Language", "fr")
			resp, body := do(t, cl.c, "GET", p.URL("/all/42%20a"), aggregateHost, h, nil)
			parts := composed(t, resp, body)
			if len(parts) != 3 {
				t.Fatalf("parts %d, want 3: %s", len(parts), trunc(body))
			}
			if resp.Header.Get("Archway-Aggregate-Missing") != "" {
				t.Errorf("Archway-Aggregate-Missing %q on a complete answer", resp.Header.Get("Archway-Aggregate-Missing"))
			}
			order, customer, stock := echoPart(t, parts, "order"), echoPart(t, parts, "customer"), echoPart(t, parts, "stock")
			if order.Name != "orders" || order.Path != "/orders/42 a" {
				t.Errorf("order part: name %q path %q raw %q", order.Name, order.Path, order.RawPath)
			}
			if customer.Name != "customers" || customer.Path != "/customers/by-order/42 a" || customer.Query != "full=1" {
				t.Errorf("customer part: name %q path %q query %q", customer.Name, customer.Path, customer.Query)
			}
			if stock.Name != "stock" || stock.Query != "order=42%20a" {
				t.Errorf("stock part: name %q query %q", stock.Name, stock.Query)
			}
			for _, e := range []Echo{order, customer, stock} {
				if got := e.Header("Authorization"); len(got) != 0 {
					t.Errorf("%s got Authorization %q without forwardAuthorization", e.Name, got)
				}
				if got := e.Header("Accept-Language"); len(got) != 1 || got[0] != "fr" {
					t.Errorf("%s got Accept-Language %q, want fr", e.Name, got)
				}
				if got := strings.Join(e.Header("Traceparent"), ","); !strings.Contains(got, trace) {
					t.Errorf("%s got traceparent %q, want trace %s", e.Name, got, trace)
				}
			}
		})
	}
}

// TestAggregatePartFailures: a part past its timeout, answering 500,
// refusing connections or answering non-JSON is omitted when optional,
// with RFC 9457 problem details under _errors and its name in
// Archway-Aggregate-Missing, and fails the whole response with 502 when
// required.
func TestAggregatePartFailures(t *testing.T) {
	ok := AggregatePart{Name: "order", Cluster: "orders", Path: "/orders/{id}"}
	cases := []struct {
		rule    string
		part    AggregatePart
		status  int
		typ     string
		missing bool
	}{
		{"slow", AggregatePart{Name: "customer", Cluster: "customers", Path: "/c/{id}?x-echo-sleep=1500ms", Timeout: "200ms"},
			504, "urn:archway:aggregate:part-timeout", true},
		{"failing", AggregatePart{Name: "customer", Cluster: "customers", Path: "/c/{id}?x-echo-status=500"},
			502, "urn:archway:aggregate:part-status", true},
		{"refused", AggregatePart{Name: "customer", Cluster: "gone", Path: "/c/{id}"},
			502, "urn:archway:aggregate:part-unreachable", true},
		{"notjson", AggregatePart{Name: "customer", Cluster: "stock", Path: "/c/{id}?x-echo-body-bytes=40"},
			502, "urn:archway:aggregate:part-not-json", true},
		{"toolarge", AggregatePart{Name: "customer", Cluster: "stock", Path: "/c/{id}", MaxBodyBytes: 10},
			502, "urn:archway:aggregate:part-too-large", true},
	}
	var routes []Route
	for _, c := range cases {
		opt := c.part
		opt.Required = optional()
		routes = append(routes,
			aggregateRoute(c.rule+"-optional", &Aggregate{Parts: []AggregatePart{ok, opt}}),
			// Required by default: onPartialFailure Fail.
			aggregateRoute(c.rule+"-required", &Aggregate{Parts: []AggregatePart{ok, c.part}}))
	}
	_, _, _, snap := threeBackends(t, routes...)
	p := startProxy(t, snap, ProxyOptions{})
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			resp, body := do(t, h1Client(), "GET", p.URL("/"+c.rule+"-optional/7"), aggregateHost, nil, nil)
			parts := composed(t, resp, body)
			if _, has := parts["customer"]; has {
				t.Errorf("the failed part is in the body: %s", trunc(body))
			}
			if echoPart(t, parts, "order").Name != "orders" {
				t.Errorf("the good part is missing: %s", trunc(body))
			}
			pd, has := problems(t, parts)["customer"]
			if !has || pd.Status != c.status || pd.Type != c.typ || pd.Title == "" || pd.Detail == "" {
				t.Errorf("problem details %+v (present %v), want status %d type %s", pd, has, c.status, c.typ)
			}
			if got := resp.Header.Get("Archway-Aggregate-Missing"); got != "customer" {
				t.Errorf("Archway-Aggregate-Missing %q, want customer", got)
			}

			resp, body = do(t, h1Client(), "GET", p.URL("/"+c.rule+"-required/7"), aggregateHost, nil, nil)
			errorBody(t, resp, body, 502)
			var e struct {
				Part string `json:"part"`
			}
			if json.Unmarshal(body, &e); e.Part != "customer" {
				t.Errorf("502 body names part %q, want customer: %s", e.Part, trunc(body))
			}
		})
	}
	outcomes := map[string]string{"slow": "timeout", "failing": "bad_status", "refused": "unreachable",
		"notjson": "not_json", "toolarge": "too_large"}
	metrics := scrape(t, p.AdminPort)
	for _, c := range cases {
		for _, kind := range []string{"optional", "required"} {
			series := `archway_aggregate_part_requests_total{route="e2e/shop",rule="` + c.rule + "-" + kind +
				`",part="customer",outcome="` + outcomes[c.rule] + `"}`
			if v := metricValue(metrics, series); v != 1 {
				t.Errorf("%s = %v, want 1", series, v)
			}
		}
	}
}

// TestAggregateUnderAuthAndCache: the rule's API key and cache apply to
// the composed answer: no key is 401 and no part is fetched; a key gets a
// MISS, a repeat a HIT, and each backend counted one request.
func TestAggregateUnderAuthAndCache(t *testing.T) {
	const key = "ak_shop_0123456789abcdef"
	r := aggregateRoute("cached", &Aggregate{Parts: []AggregatePart{
		{Name: "order", Cluster: "orders", Path: "/orders/{id}"},
		{Name: "customer", Cluster: "customers", Path: "/customers/{id}"},
	}})
	r.Policies.Auth = &Auth{APIKey: &APIKeyAuth{Header: "x-api-key", Keys: []APIKeyDigest{{ID: "shop", SHA256: digestOf(key)}}}}
	r.Policies.Cache = &Cache{TTL: "10s"}
	orders, customers, _, snap := threeBackends(t, r)
	p := startProxy(t, snap, ProxyOptions{})

	resp, body := do(t, h1Client(), "GET", p.URL("/cached/9"), aggregateHost, nil, nil)
	errorBody(t, resp, body, 401)
	if n := backendCount(t, orders) + backendCount(t, customers); n != 0 {
		t.Fatalf("an unauthenticated request reached the parts (%d requests)", n)
	}
	withKey := http.Header{"X-Api-Key": {key}}
	first, body1 := do(t, h1Client(), "GET", p.URL("/cached/9"), aggregateHost, withKey, nil)
	composed(t, first, body1)
	expectMiss(t, first, "uri-miss", true)
	second, body2 := do(t, h2cClient(), "GET", p.URL("/cached/9"), aggregateHost, withKey, nil)
	composed(t, second, body2)
	expectHit(t, second)
	if string(body1) != string(body2) {
		t.Errorf("the hit's body differs:\n%s\n%s", trunc(body1), trunc(body2))
	}
	if o, c := backendCount(t, orders), backendCount(t, customers); o != 1 || c != 1 {
		t.Errorf("backends counted orders=%d customers=%d, want 1 each", o, c)
	}
}
