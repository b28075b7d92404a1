package controllere2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
	"archway.dev/e2e/internal/backend"
	"archway.dev/e2e/internal/hydra"
)

// examples/gateway.yaml end to end (docs/gateway-example.md): the file
// applied with kubectl, tokens from a real Ory Hydra, curl as the client,
// and an orders backend that counts what reaches it.

const (
	gatewayHost = "gateway.localtest.me"
	// The example's limit: 60 a minute, no burst, so one token a second.
	gatewayLimit = 60
	// A W3C traceparent as a client's tracer would send it.
	clientTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
)

// gatewayResponse is one answer curl printed.
type gatewayResponse struct {
	status int
	header http.Header
	body   string
}

func (r gatewayResponse) String() string {
	return fmt.Sprintf("HTTP %d X-Cache=%q %s", r.status, r.header.Get("X-Cache"), strings.TrimSpace(r.body))
}

// curlGateway GETs each path in order through one curl process (one
// keep-alive connection), with the example's Host and the given header
// lines, and returns the answers in order.
func curlGateway(t *testing.T, s *Stack, headers []string, paths ...string) []gatewayResponse {
	t.Helper()
	args := []string{"-sS", "-i", "--max-time", "30", "-H", "Host: " + gatewayHost}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	for _, p := range paths {
		args = append(args, "http://"+s.HTTPAddr+p)
	}
	out, err := exec.Command("curl", args...).Output()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	br := bufio.NewReader(bytes.NewReader(out))
	var got []gatewayResponse
	for len(got) < len(paths) {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d of %d unreadable: %v\n%s", len(got)+1, len(paths), err, out)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, gatewayResponse{status: resp.StatusCode, header: resp.Header, body: string(body)})
	}
	return got
}

func bearerLine(token string) string { return "Authorization: Bearer " + token }

var remainingRe = regexp.MustCompile(`;r=(\d+)`)

// remaining reads r= of the RateLimit field (-1 when absent).
func remaining(r gatewayResponse) int {
	m := remainingRe.FindStringSubmatch(r.header.Get("RateLimit"))
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// applyGatewayExample applies examples/gateway.yaml as a user would, then
// points its JWT issuer at idp (the file names the Hydra of `make run`),
// and waits until the route is Ready at that generation and its JWKS has
// been fetched from idp.
func applyGatewayExample(t *testing.T, c *cluster.Cluster, ns string, idp *hydra.Server) {
	t.Helper()
	c.Kubectl(t, "-n", ns, "apply", "-f", filepath.Join(repoRoot(), "examples", "gateway.yaml"))
	patch := fmt.Sprintf(`[{"op":"replace","path":"/spec/rules/0/auth/jwt/issuer","value":%q},`+
		`{"op":"replace","path":"/spec/rules/0/auth/jwt/jwksUri","value":%q}]`, idp.Issuer(), idp.JWKSURL())
	c.Kubectl(t, "-n", ns, "patch", "apiroute", "gateway", "--type=json", "-p", patch)
	eventually(t, 60*time.Second, "gateway Ready=True at its latest generation", func() string {
		out, err := c.TryKubectl("-n", ns, "get", "apiroute", "gateway", "-o",
			`jsonpath={.metadata.generation}/{.status.conditions[?(@.type=="Ready")].observedGeneration}/{.status.conditions[?(@.type=="Ready")].status}`)
		if err != nil {
			return err.Error()
		}
		if parts := strings.Split(out, "/"); len(parts) == 3 && parts[0] == parts[1] && parts[2] == "True" {
			return ""
		}
		return "generation/observed/Ready = " + out
	})
	eventually(t, 60*time.Second, "gateway JWKSReady=True from the test's Hydra", func() string {
		got := condition(t, c, ns, "gateway", "JWKSReady")
		if strings.HasPrefix(got, "True/JWKSFetched") && strings.Contains(got, idp.JWKSURL()) {
			return ""
		}
		return got
	})
}

// TestGatewayExampleAuthenticatesLimitsPerConsumerCachesAndTraces is the
// product's promise as one test: GET /v1/orders/123 with a Hydra token
// holding orders:read reaches the orders backend with the client's trace id;
// a repeat within 10 s is a cache hit the backend never sees; no token is
// 401, a token without the scope 403; the 61st request of a consumer's
// minute is 429 with Retry-After, cache hits counting against it, while
// another consumer is neither limited nor served the first one's entry.
func TestGatewayExampleAuthenticatesLimitsPerConsumerCachesAndTraces(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	idp := hydra.Start(t, hydra.Options{Strategy: hydra.JWT})
	spec := hydra.ClientSpec{Scopes: []string{"orders:read", "orders:write"}, Audience: []string{"orders"}}
	shop, other, greedy := idp.CreateClient(t, spec), idp.CreateClient(t, spec), idp.CreateClient(t, spec)
	token := func(client hydra.Client, scope string) string {
		return idp.Token(t, client, []string{scope}, []string{"orders"}).AccessToken
	}
	orders := startOrdersBackend(t)
	c.Apply(t, ns, backend.ServiceManifest("orders", 80, orders.be))
	applyGatewayExample(t, c, ns, idp)
	const order = "/v1/orders/123"

	// The first GET: authenticated, forwarded, the client's trace id kept.
	shopToken := token(shop, "orders:read")
	traced := []string{bearerLine(shopToken), "traceparent: " + clientTraceparent}
	var first gatewayResponse
	eventually(t, 30*time.Second, "the first authorized GET answered 200", func() string {
		first = curlGateway(t, s, traced, order)[0]
		if first.status == 200 {
			return ""
		}
		return first.String()
	})
	firstAt := time.Now()
	if got := first.header.Get("X-Cache"); got != "MISS" {
		t.Errorf("first GET: X-Cache %q, want MISS", got)
	}
	if n := orders.count(order, shop.ID); n != 1 {
		t.Errorf("the backend saw %d requests for the first GET, want 1 (consumer %s)", n, shop.ID)
	}
	if got := orders.lastTrace(order, shop.ID); len(got) != 55 || got[3:35] != clientTraceparent[3:35] {
		t.Errorf("the backend got traceparent %q, want the trace id of %q", got, clientTraceparent)
	}

	// A repeat within the 10 s: a hit, the backend still counts one.
	repeat := curlGateway(t, s, traced, order)[0]
	if since := time.Since(firstAt); since >= 9*time.Second {
		t.Fatalf("the repeat came %v after the first GET: too late to test a 10 s cache", since)
	}
	if repeat.status != 200 || repeat.header.Get("X-Cache") != "HIT" || repeat.body != first.body {
		t.Errorf("repeat within 10 s: %v, want 200 HIT with the first body %s", repeat, first.body)
	}
	if got := repeat.header.Get("Cache-Status"); !strings.HasPrefix(got, "archway; hit") {
		t.Errorf("repeat: Cache-Status %q, want archway; hit...", got)
	}
	if n := orders.count(order, shop.ID); n != 1 {
		t.Errorf("after a cache hit the backend counts %d requests, want 1", n)
	}

	// Without a traceparent the backend gets a new one.
	if got := curlGateway(t, s, []string{bearerLine(shopToken)}, "/v1/orders/456")[0]; got.status != 200 {
		t.Errorf("/v1/orders/456: %v", got)
	} else if tp := orders.lastTrace("/v1/orders/456", shop.ID); len(tp) != 55 || !strings.HasPrefix(tp, "00-") {
		t.Errorf("a request without traceparent reached the backend with %q, want a new W3C one", tp)
	}

	// The cache key holds the consumer: another one's first GET is a miss
	// and gets its own answer.
	if got := curlGateway(t, s, []string{bearerLine(token(other, "orders:read"))}, order)[0]; got.status != 200 ||
		got.header.Get("X-Cache") != "MISS" || !strings.Contains(got.body, `"consumer":"`+other.ID+`"`) {
		t.Errorf("another consumer's GET: %v, want 200 MISS with its own consumer id", got)
	}

	// No token, and a token without orders:read.
	refusals := []struct {
		name    string
		headers []string
		status  int
		www     string
	}{
		{"no token", nil, 401, "Bearer"},
		{"without orders:read", []string{bearerLine(token(shop, "orders:write"))}, 403,
			`Bearer error="insufficient_scope", scope="orders:read"`},
	}
	for _, r := range refusals {
		got := curlGateway(t, s, r.headers, order)[0]
		if got.status != r.status || got.header.Get("WWW-Authenticate") != r.www {
			t.Errorf("%s: %v WWW-Authenticate %q, want %d %q", r.name, got, got.header.Get("WWW-Authenticate"), r.status, r.www)
		}
	}

	// A consumer's minute: a fresh consumer's burst of GETs of one order is
	// one miss and then hits, and the hits spend the budget too (the rate
	// limit runs before the cache): the 61st is refused. A token comes back
	// every second, so a burst that took longer may pass one more per second.
	const sent = gatewayLimit + 10
	burst := make([]string, sent)
	for i := range burst {
		burst[i] = order
	}
	began := time.Now()
	answers := curlGateway(t, s, []string{bearerLine(token(greedy, "orders:read"))}, burst...)
	took := time.Since(began)
	allowed := 0
	for allowed < sent && answers[allowed].status == 200 {
		allowed++
	}
	if most := gatewayLimit + int(took/time.Second); allowed < gatewayLimit || allowed > most {
		t.Errorf("%d requests passed before the first refusal in %v, want %d..%d", allowed, took, gatewayLimit, most)
	}
	if allowed == sent {
		t.Fatalf("none of %d requests in %v was refused", sent, took)
	}
	for i, a := range answers[1:allowed] {
		if got := a.header.Get("X-Cache"); got != "HIT" {
			t.Errorf("burst request %d: X-Cache %q, want HIT", i+2, got)
		}
	}
	if n := orders.count(order, greedy.ID); n != 1 {
		t.Errorf("the backend saw %d of the burst's requests, want 1 (the rest are hits)", n)
	}
	limited := answers[allowed]
	retryAfter, err := strconv.Atoi(limited.header.Get("Retry-After"))
	if limited.status != 429 || err != nil || retryAfter < 1 || remaining(limited) != 0 ||
		limited.header.Get("RateLimit-Policy") != `"default";q=60;w=60` {
		t.Errorf("request %d: %v Retry-After %q RateLimit %q RateLimit-Policy %q, want 429, Retry-After >= 1, r=0, q=60;w=60",
			allowed+1, limited, limited.header.Get("Retry-After"), limited.header.Get("RateLimit"),
			limited.header.Get("RateLimit-Policy"))
	}

	// The budget is the consumer's, not the token's: a new token does not
	// refill it (a fresh bucket would leave r=59), and the other consumers
	// keep theirs.
	if again := curlGateway(t, s, []string{bearerLine(token(greedy, "orders:read"))}, order)[0]; !(again.status == 429 ||
		again.status == 200 && remaining(again) >= 0 && remaining(again) < gatewayLimit/2) {
		t.Errorf("the limited consumer with a new token: %v RateLimit %q, want 429 or its drained bucket",
			again, again.header.Get("RateLimit"))
	}
	if got := curlGateway(t, s, []string{bearerLine(shopToken)}, order)[0]; got.status != 200 || remaining(got) < gatewayLimit/2 {
		t.Errorf("another consumer after the burst: %v RateLimit %q, want 200 with most of its minute left",
			got, got.header.Get("RateLimit"))
	}
}
