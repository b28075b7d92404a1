package helm

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

const crdName = "apiroutes.archway.dev"

var crdOnce sync.Once

// installCRD applies crds/apiroutes.archway.dev.yaml and
// crds/referencegrants.archway.dev.yaml (server-side, as
// docs/upgrade.md tells users) and waits until the API server serves them.
func installCRD(t *testing.T, c *cluster.Cluster) {
	t.Helper()
	var failed error
	crdOnce.Do(func() {
		for _, name := range []string{crdName, "referencegrants.archway.dev"} {
			path := filepath.Join(repoRoot(t), "crds", name+".yaml")
			if _, err := c.TryKubectl("apply", "--server-side", "--force-conflicts", "-f", path); err != nil {
				failed = err
				return
			}
			if failed = c.WaitCondition("", "crd/"+name, "Established", 60*time.Second); failed != nil {
				return
			}
		}
	})
	if failed != nil {
		t.Fatalf("install the CRD: %v", failed)
	}
	// kubectl needs discovery (and OpenAPI, for explain) to catch up.
	eventually(t, 60*time.Second, func() error {
		_, err := c.TryKubectl("get", "apiroutes", "-A")
		return err
	})
}

// eventually retries f until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after %v: %v", timeout, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestCRDEstablishedWithNames(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	out := c.Kubectl(t, "get", "crd", crdName, "-o",
		`jsonpath={.status.acceptedNames.kind} {.status.acceptedNames.shortNames} {.status.acceptedNames.categories} {.spec.versions[0].name} {.spec.scope}`)
	want := `APIRoute ["ar"] ["archway"] v1alpha1 Namespaced`
	if out != want {
		t.Fatalf("accepted names: got %q, want %q", out, want)
	}
	// The API server computed structural schema and CEL cost without complaint.
	if cond := c.Kubectl(t, "get", "crd", crdName, "-o", `jsonpath={.status.conditions[?(@.type=="NonStructuralSchema")].status}`); cond != "" {
		t.Fatalf("NonStructuralSchema condition: %q", cond)
	}
}

func TestValidAPIRouteIsAcceptedWithDefaults(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	c.Kubectl(t, "apply", "-n", ns, "-f", filepath.Join("testdata", "apiroute-full.yaml"))

	get := func(path string) string {
		return c.Kubectl(t, "get", "apiroute", "orders", "-n", ns, "-o", "jsonpath="+path)
	}
	checks := []struct{ path, want string }{
		// Defaults from the schema.
		{`{.spec.rules[?(@.name=="write-orders")].backends[0].weight}`, "1"},
		{`{.spec.rules[?(@.name=="catch-all")].backends[0].protocol}`, "HTTP"},
		{`{.spec.rules[?(@.name=="catch-all")].matches[0].path.type}`, "PathPrefix"},
		{`{.spec.rules[?(@.name=="catch-all")].matches[0].path.value}`, "/"},
		{`{.spec.rules[?(@.name=="catch-all")].auth.jwt.jwksSecretRef.key}`, "jwks.json"},
		{`{.spec.rules[?(@.name=="partner")].auth.apiKey.header}`, "X-Api-Key"},
		{`{.spec.rules[?(@.name=="write-orders")].rateLimit.scope}`, "Local"},
		{`{.spec.rules[?(@.name=="write-orders")].rateLimit.burst}`, "0"},
		{`{.spec.rules[?(@.name=="read-orders")].matches[0].headers[0].type}`, "Exact"},
		{`{.spec.rules[?(@.name=="read-orders")].cache.staleWhileRevalidate}`, "0s"},
		{`{.spec.rules[?(@.name=="read-orders")].cache.staleIfError}`, "0s"},
		{`{.spec.rules[?(@.name=="read-orders")].cache.cacheSetCookie}`, "false"},
		// What the user wrote survives (no pruning of known fields).
		{`{.spec.rules[?(@.name=="order-details")].aggregate.parts[1].backend.protocol}`, "H2C"},
		{`{.spec.rules[?(@.name=="old-api")].redirect.statusCode}`, "308"},
		{`{.spec.rules[?(@.name=="health")].auth}`, "{}"},
		{`{.spec.defaults.cors.maxAge}`, "600s"},
		// healthCheck: the schema's defaults, and a timeout left unset.
		{`{.spec.rules[?(@.name=="read-orders")].healthCheck.interval}`, "10s"},
		{`{.spec.rules[?(@.name=="read-orders")].healthCheck.unhealthyThreshold}`, "3"},
		{`{.spec.rules[?(@.name=="read-orders")].healthCheck.healthyThreshold}`, "2"},
		{`{.spec.rules[?(@.name=="read-orders")].healthCheck.timeout}`, ""},
		{`{.spec.rules[?(@.name=="write-orders")].healthCheck.expectedStatuses}`, "[200,204]"},
		// Body mapping: defaults, and Set values of any JSON type kept as written.
		{`{.spec.rules[?(@.name=="write-orders")].requestBody.maxBytes}`, "65536"},
		{`{.spec.rules[?(@.name=="write-orders")].responseBody.onMismatch}`, "Pass"},
		{`{.spec.rules[?(@.name=="write-orders")].requestBody.operations[1].value}`, `{"tags":["a",1,true],"via":"gateway"}`},
		{`{.spec.rules[?(@.name=="write-orders")].requestBody.operations[3].path}`, "/internal~1id"},
	}
	for _, ch := range checks {
		if got := get(ch.path); got != ch.want {
			t.Errorf("%s: got %q, want %q", ch.path, got, ch.want)
		}
	}
}

// An APIRoute with one rule whose body is given; the rest is valid.
func route(name, spec string) string {
	return fmt.Sprintf("apiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata:\n  name: %s\nspec:\n%s\n", name, indent(spec, "  "))
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func TestInvalidAPIRoutesAreRejectedNamingTheField(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	const ok = "backends: [{name: web, port: 80}]"
	tests := []struct {
		name string
		spec string
		want []string // all must appear in kubectl's stderr
		not  []string // none may appear
	}{
		{"two-actions", `
rules:
- name: a
  backends: [{name: web, port: 80}]
  directResponse: {status: 200}`,
			[]string{"spec.rules[0]", "exactly one of backends, redirect, directResponse and aggregate must be set"}, nil},
		{"no-action", `
rules:
- name: a
  matches: [{path: {value: /x}}]`,
			[]string{"spec.rules[0]", "exactly one of backends, redirect, directResponse and aggregate must be set"}, nil},
		{"two-auth-methods", `
rules:
- name: a
  ` + ok + `
  auth:
    apiKey: {secretRef: {name: keys}}
    jwt: {issuer: https://id, audiences: [a], jwksUri: https://id/jwks}`,
			[]string{"spec.rules[0].auth", "at most one of jwt, oauth2Introspection and apiKey may be set"}, nil},
		{"two-auth-methods-in-defaults", `
defaults:
  auth:
    apiKey: {secretRef: {name: keys}}
    oauth2Introspection: {endpoint: https://id/introspect, clientSecretRef: {name: c}}
rules:
- name: a
  ` + ok,
			[]string{"spec.defaults.auth", "at most one of jwt, oauth2Introspection and apiKey may be set"}, nil},
		{"duplicate-rule-names", `
rules:
- name: a
  ` + ok + `
- name: a
  ` + ok,
			[]string{"spec.rules[1]", "Duplicate value"}, nil},
		{"rewrite-prefix-and-full-path", `
rules:
- name: a
  ` + ok + `
  rewrite: {pathPrefix: /a, fullPath: /b}`,
			[]string{"spec.rules[0].rewrite", "pathPrefix and fullPath are mutually exclusive"}, nil},
		{"rewrite-prefix-with-exact-match", `
rules:
- name: a
  matches: [{path: {type: Exact, value: /a}}]
  ` + ok + `
  rewrite: {pathPrefix: /b}`,
			[]string{"spec.rules[0].rewrite.pathPrefix", "needs every match to use a PathPrefix path"}, nil},
		{"rewrite-with-redirect", `
rules:
- name: a
  redirect: {scheme: https}
  rewrite: {hostname: b.example.com}`,
			[]string{"spec.rules[0].rewrite", "rewrite needs backends"}, nil},
		{"duration-words", `
rules:
- name: a
  ` + ok + `
  timeouts: {request: 15 seconds}`,
			[]string{"spec.rules[0].timeouts.request", "should match"}, nil},
		{"duration-without-unit", `
defaults:
  timeouts: {idle: "60"}
rules:
- name: a
  ` + ok,
			[]string{"spec.defaults.timeouts.idle", "should match"}, nil},
		{"backend-timeout-above-request", `
rules:
- name: a
  ` + ok + `
  timeouts: {request: 1s, backendRequest: 2s}`,
			[]string{"spec.rules[0].timeouts.backendRequest", "backendRequest must not be longer than request"}, nil},
		{"connect-zero", `
rules:
- name: a
  ` + ok + `
  timeouts: {connect: 0s}`,
			[]string{"spec.rules[0].timeouts.connect", "connect must be more than 0s"}, nil},
		{"backoff-base-above-max", `
rules:
- name: a
  ` + ok + `
  retries: {attempts: 1, backoff: {base: 1s, max: 100ms}}`,
			[]string{"spec.rules[0].retries.backoff.base", "base must not be longer than max"}, nil},
		{"retry-status-code-below-400", `
rules:
- name: a
  ` + ok + `
  retries: {attempts: 1, statusCodes: [429, 302]}`,
			[]string{"spec.rules[0].retries.statusCodes[1]", "greater than or equal to 400"}, nil},
		{"weight-too-high", `
rules:
- name: a
  backends: [{name: web, port: 80, weight: 1000001}]`,
			[]string{"spec.rules[0].backends[0].weight", "less than or equal to 1000000"}, nil},
		{"weight-negative", `
rules:
- name: a
  backends: [{name: web, port: 80, weight: -1}]`,
			[]string{"spec.rules[0].backends[0].weight", "greater than or equal to 0"}, nil},
		{"all-weights-zero", `
rules:
- name: a
  backends: [{name: web, port: 80, weight: 0}, {name: web2, port: 80, weight: 0}]`,
			[]string{"spec.rules[0].backends", "at least one backend must have a weight above 0"}, nil},
		{"port-out-of-range", `
rules:
- name: a
  backends: [{name: web, port: 70000}]`,
			[]string{"spec.rules[0].backends[0].port", "less than or equal to 65535"}, nil},
		{"backend-protocol", `
rules:
- name: a
  backends: [{name: web, port: 80, protocol: GRPC}]`,
			[]string{"spec.rules[0].backends[0].protocol", `Unsupported value: "GRPC"`}, nil},
		{"method", `
rules:
- name: a
  matches: [{methods: [FETCH]}]
  ` + ok,
			[]string{"spec.rules[0].matches[0].methods[0]", `Unsupported value: "FETCH"`}, nil},
		{"path-type", `
rules:
- name: a
  matches: [{path: {type: Glob, value: /a}}]
  ` + ok,
			[]string{"spec.rules[0].matches[0].path.type", `Unsupported value: "Glob"`}, nil},
		{"path-without-slash", `
rules:
- name: a
  matches: [{path: {type: PathPrefix, value: v1}}]
  ` + ok,
			[]string{"spec.rules[0].matches[0].path.value", "value must start with '/' unless type is RegularExpression"}, nil},
		{"header-match-present-with-value", `
rules:
- name: a
  matches: [{headers: [{name: X-A, type: Present, value: x}]}]
  ` + ok,
			[]string{"spec.rules[0].matches[0].headers[0].value", "must be empty when type is Present"}, nil},
		{"header-match-exact-without-value", `
rules:
- name: a
  matches: [{queryParams: [{name: q}]}]
  ` + ok,
			[]string{"spec.rules[0].matches[0].queryParams[0].value", "value is required when type is Exact or RegularExpression"}, nil},
		{"header-name-with-space", `
rules:
- name: a
  ` + ok + `
  requestHeaders: {set: [{name: X Bad, value: v}]}`,
			[]string{"spec.rules[0].requestHeaders.set[0].name", "should match"}, nil},
		{"header-value-with-newline", `
rules:
- name: a
  ` + ok + `
  responseHeaders: {add: [{name: X-A, value: "a\r\nSet-Cookie: x=1"}]}`,
			[]string{"spec.rules[0].responseHeaders.add[0].value", "should match"}, nil},
		{"rate-limit-header-key-without-header", `
rules:
- name: a
  ` + ok + `
  rateLimit: {requests: 10, period: 1s, key: Header}`,
			[]string{"spec.rules[0].rateLimit.header", "header is required when key is Header"}, nil},
		{"rate-limit-header-with-other-key", `
rules:
- name: a
  ` + ok + `
  rateLimit: {requests: 10, period: 1s, header: X-Tenant}`,
			[]string{"spec.rules[0].rateLimit.header", "header is only allowed when key is Header"}, nil},
		{"load-balancer-hash-without-key", `
rules:
- name: a
  ` + ok + `
  loadBalancer: {policy: ConsistentHash}`,
			[]string{"spec.rules[0].loadBalancer.hashOn", "policy ConsistentHash needs hashOn"}, nil},
		{"load-balancer-key-without-hash", `
rules:
- name: a
  ` + ok + `
  loadBalancer: {policy: RoundRobin, hashOn: {header: X-User}}`,
			[]string{"spec.rules[0].loadBalancer.hashOn", "hashOn is only valid with policy ConsistentHash"}, nil},
		{"load-balancer-two-keys", `
rules:
- name: a
  ` + ok + `
  loadBalancer: {policy: ConsistentHash, hashOn: {header: X-User, clientAddress: true}}`,
			[]string{"spec.rules[0].loadBalancer.hashOn", "set exactly one of header, cookie and clientAddress"}, nil},
		{"load-balancer-unknown-policy", `
rules:
- name: a
  ` + ok + `
  loadBalancer: {policy: Random}`,
			[]string{"spec.rules[0].loadBalancer.policy", "Unsupported value"}, nil},
		{"load-balancer-cookie-path-injection", `
rules:
- name: a
  ` + ok + `
  loadBalancer: {policy: ConsistentHash, hashOn: {cookie: {name: lb, path: "/a; Domain=evil"}}}`,
			[]string{"spec.rules[0].loadBalancer.hashOn.cookie.path", "should match"}, nil},
		{"load-balancer-without-backends", `
rules:
- name: a
  directResponse: {status: 200}
  loadBalancer: {policy: RoundRobin}`,
			[]string{"spec.rules[0].loadBalancer", "loadBalancer needs backends"}, nil},
		{"rate-limit-zero-requests", `
rules:
- name: a
  ` + ok + `
  rateLimit: {requests: 0, period: 1s}`,
			[]string{"spec.rules[0].rateLimit.requests", "greater than or equal to 1"}, nil},
		{"rate-limit-period-malformed", `
rules:
- name: a
  ` + ok + `
  rateLimit: {requests: 5, period: 1 minute}
  cache: {ttl: 10 s}
  timeouts: {request: 5 s, backendRequest: 1s}`,
			[]string{"spec.rules[0].rateLimit.period", "spec.rules[0].cache.ttl", "spec.rules[0].timeouts.request", "should match"},
			// Only the pattern speaks: the CEL rules skip malformed durations.
			[]string{"type conversion error", "evaluating rule"}},
		{"cache-stale-windows-malformed", `
rules:
- name: a
  ` + ok + `
  cache: {ttl: 10s, staleWhileRevalidate: 30 s, staleIfError: soon}`,
			[]string{"spec.rules[0].cache.staleWhileRevalidate", "spec.rules[0].cache.staleIfError", "should match"}, nil},
		{"cache-set-cookie-not-boolean", `
rules:
- name: a
  ` + ok + `
  cache: {ttl: 10s, cacheSetCookie: "yes"}`,
			[]string{"spec.rules[0].cache.cacheSetCookie", "must be of type boolean"}, nil},
		{"rate-limit-period-zero", `
rules:
- name: a
  ` + ok + `
  rateLimit: {requests: 5, period: 0s}`,
			[]string{"spec.rules[0].rateLimit.period", "period must be longer than 0s"}, nil},
		{"redirect-status", `
rules:
- name: a
  redirect: {scheme: https, statusCode: 305}`,
			[]string{"spec.rules[0].redirect.statusCode", "Unsupported value: 305"}, nil},
		{"redirect-to-itself", `
rules:
- name: a
  redirect: {statusCode: 301}`,
			[]string{"spec.rules[0].redirect", "a redirect must set at least one of scheme, hostname, port and path"}, nil},
		{"jwt-without-keys", `
rules:
- name: a
  ` + ok + `
  auth: {jwt: {issuer: https://id, audiences: [a]}}`,
			[]string{"spec.rules[0].auth.jwt", "exactly one of jwksUri and jwksSecretRef must be set"}, nil},
		{"jwt-without-audience", `
rules:
- name: a
  ` + ok + `
  auth: {jwt: {issuer: https://id, jwksUri: https://id/jwks}}`,
			[]string{"spec.rules[0].auth.jwt.audiences", "Required value"}, nil},
		{"cors-credentials-any-origin", `
rules:
- name: a
  ` + ok + `
  cors: {allowOrigins: ["*"], allowCredentials: true}`,
			[]string{"spec.rules[0].cors.allowCredentials", "allowCredentials cannot be used with the '*' origin"}, nil},
		{"tls-without-hostnames", `
tls: {secretName: cert}
rules:
- name: a
  ` + ok,
			[]string{"spec.tls", "tls needs hostnames"}, nil},
		{"hostname-invalid", `
hostnames: [Api_Example.com]
rules:
- name: a
  ` + ok,
			[]string{"spec.hostnames[0]", "should match"}, nil},
		{"rule-name-invalid", `
rules:
- name: Read_Orders
  ` + ok,
			[]string{"spec.rules[0].name", "should match"}, nil},
		{"no-rules", `
hostnames: [a.example.com]`,
			[]string{"spec.rules", "Required value"}, nil},
		{"unknown-field", `
rules:
- name: a
  bakends: [{name: web, port: 80}]`,
			[]string{`unknown field "spec.rules[0].bakends"`}, nil},
		{"aggregate-duplicate-parts", `
rules:
- name: a
  aggregate:
    parts:
    - {name: p, backend: {name: a, port: 80}, path: /a}
    - {name: p, backend: {name: b, port: 80}, path: /b}`,
			[]string{"spec.rules[0].aggregate.parts[1]", "Duplicate value"}, nil},
		{"body-pointer-bad-escape", `
rules:
- name: a
  ` + ok + `
  requestBody: {operations: [{op: Remove, path: /a~2b}]}`,
			[]string{"spec.rules[0].requestBody.operations[0].path", "should match"}, nil},
		{"body-pointer-no-slash", `
rules:
- name: a
  ` + ok + `
  responseBody: {operations: [{op: Set, path: a, value: 1}]}`,
			[]string{"spec.rules[0].responseBody.operations[0].path", "should match"}, nil},
		{"body-move-into-itself", `
rules:
- name: a
  ` + ok + `
  requestBody: {operations: [{op: Move, from: /a, path: /a/b}]}`,
			[]string{"spec.rules[0].requestBody.operations[0].path", "path must not be inside from"}, nil},
		{"body-remove-whole-body", `
rules:
- name: a
  ` + ok + `
  requestBody: {operations: [{op: Remove, path: ""}]}`,
			[]string{"spec.rules[0].requestBody.operations[0].path", "must not be empty"}, nil},
		{"body-wrap-without-key", `
rules:
- name: a
  ` + ok + `
  requestBody: {operations: [{op: Wrap}]}`,
			[]string{"spec.rules[0].requestBody.operations[0].key", "key is required when op is Wrap"}, nil},
		{"body-max-bytes-over-cap", `
rules:
- name: a
  ` + ok + `
  responseBody: {operations: [{op: Wrap, key: k}], maxBytes: 1048577}`,
			[]string{"spec.rules[0].responseBody.maxBytes", "1048576"}, nil},
		{"aggregate-part-timeout-too-long", `
rules:
- name: a
  aggregate:
    parts:
    - {name: p, backend: {name: a, port: 80}, path: /a, timeout: 2m}`,
			[]string{"spec.rules[0].aggregate.parts[0].timeout", "timeout must be between 1ms and 60s"}, nil},
		{"aggregate-forwards-authorization-by-list", `
rules:
- name: a
  aggregate:
    parts:
    - {name: p, backend: {name: a, port: 80}, path: /a}
    forwardHeaders: [X-Tenant, Authorization]`,
			[]string{"spec.rules[0].aggregate.forwardHeaders", "forwardAuthorization: true"}, nil},
		{"health-check-without-path", `
rules:
- name: a
  ` + ok + `
  healthCheck: {interval: 5s}`,
			[]string{"spec.rules[0].healthCheck.path", "Required value"}, nil},
		{"health-check-relative-path", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: healthz}`,
			[]string{"spec.rules[0].healthCheck.path", "should match"}, nil},
		{"health-check-path-injection", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: "/h HTTP/1.1"}`,
			[]string{"spec.rules[0].healthCheck.path", "should match"}, nil},
		{"health-check-interval-too-short", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: /healthz, interval: 50ms}`,
			[]string{"spec.rules[0].healthCheck.interval", "interval must be between 100ms and 1h"}, nil},
		{"health-check-timeout-not-shorter", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: /healthz, interval: 1s, timeout: 1s}`,
			[]string{"spec.rules[0].healthCheck.timeout", "shorter than interval"}, nil},
		{"health-check-timeout-over-default-interval", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: /healthz, timeout: 15s}`,
			[]string{"spec.rules[0].healthCheck.timeout", "shorter than interval"}, nil},
		{"health-check-threshold-zero", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: /healthz, unhealthyThreshold: 0}`,
			[]string{"spec.rules[0].healthCheck.unhealthyThreshold", "should be greater than or equal to 1"}, nil},
		{"health-check-bad-status", `
rules:
- name: a
  ` + ok + `
  healthCheck: {path: /healthz, expectedStatuses: [700]}`,
			[]string{"spec.rules[0].healthCheck.expectedStatuses[0]", "should be less than or equal to 599"}, nil},
		{"health-check-without-backends", `
rules:
- name: a
  directResponse: {status: 200}
  healthCheck: {path: /healthz}`,
			[]string{"spec.rules[0].healthCheck", "healthCheck needs backends"}, nil},
		{"aggregate-reserved-part-name", `
rules:
- name: a
  aggregate:
    parts:
    - {name: _errors, backend: {name: a, port: 80}, path: /a}`,
			[]string{"spec.rules[0].aggregate.parts[0].name", "_errors is reserved"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Run(route("bad-"+tc.name, tc.spec), "kubectl", "apply", "-n", ns, "-f", "-")
			if err == nil {
				t.Fatalf("kubectl apply succeeded (want a rejection naming %s):\n%s", tc.want[0], out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error holds %q:\n%v", n, err)
				}
			}
		})
	}
	// Nothing of the above was stored.
	if out := c.Kubectl(t, "get", "apiroutes", "-n", ns, "-o", "name"); strings.TrimSpace(out) != "" {
		t.Fatalf("rejected routes were stored: %s", out)
	}
}

func TestExplainDescribesFields(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	tests := []struct {
		field string
		want  []string
	}{
		{"apiroute.spec.rules.auth", []string{
			"At most one of `jwt`, `oauth2Introspection` and `apiKey`",
			"jwt <Object>", "oauth2Introspection <Object>", "apiKey <Object>",
			"Validates a bearer JWT"}},
		{"apiroute.spec.rules.rateLimit.key", []string{"ClientIP", "APIKey", "User", "Header"}},
		{"apiroute.spec.rules.backends.weight", []string{"Relative share of requests", "1000000"}},
		{"apiroute.spec.rules", []string{"matches <[]Object>", "backends <[]Object>", "redirect <Object>",
			"directResponse <Object>", "aggregate <Object>", "cors <Object>", "name <string> -required-"}},
		{"apiroute.spec.rules.requestBody", []string{"operations <[]Object> -required-",
			"maxBytes <integer>", "onMismatch <string>", "JSON Pointer"}},
		{"apiroute.spec.rules.responseBody.operations.op", []string{"Set", "Remove", "Move", "Wrap"}},
		{"apiroute.spec.defaults.requestBody.operations.value", []string{"any type"}},
		{"apiroute.spec.rules.aggregate", []string{"forwardHeaders <[]string>", "forwardAuthorization <boolean>",
			"onPartialFailure <string>", "Default of each part's `required`", "Archway-Aggregate-Missing"}},
		{"apiroute.spec.rules.aggregate.parts", []string{"timeout <string>", "required <boolean>",
			"maxBodyBytes <integer>", "percent-encoded"}},
		{"apiroute.status.conditions", []string{"Accepted", "ResolvedRefs", "Programmed", "Ready"}},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			var out string
			// The OpenAPI document is published a moment after the CRD.
			eventually(t, 60*time.Second, func() error {
				var err error
				out, err = c.TryKubectl("explain", tc.field)
				return err
			})
			// explain wraps descriptions: compare with whitespace collapsed.
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, w) {
					t.Errorf("kubectl explain %s lacks %q:\n%s", tc.field, w, out)
				}
			}
		})
	}
}

func TestPrinterColumnsAndStatus(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	c.Apply(t, ns, route("shop", `
hostnames: [shop.example.com]
rules:
- name: all
  backends: [{name: web, port: 80}]`))

	// Before the controller writes status: columns are there, empty.
	out := c.Kubectl(t, "get", "ar", "-n", ns)
	header := strings.Fields(strings.SplitN(out, "\n", 2)[0])
	if strings.Join(header, " ") != "NAME HOSTS READY REASON REPLICAS AGE" {
		t.Fatalf("kubectl get ar header: %q", header)
	}

	// The status subresource takes metav1.Conditions; the columns show Ready.
	status := `{"status":{"observedGeneration":1,"conditions":[
	 {"type":"Accepted","status":"True","reason":"Accepted","message":"","lastTransitionTime":"2025-01-01T00:00:00Z","observedGeneration":1},
	 {"type":"Ready","status":"False","reason":"BackendNotFound","message":"Service web not found","lastTransitionTime":"2025-01-01T00:00:00Z","observedGeneration":1}]}}`
	c.Kubectl(t, "patch", "apiroute", "shop", "-n", ns, "--subresource=status", "--type=merge", "-p", status)
	out = c.Kubectl(t, "get", "ar", "shop", "-n", ns, "--no-headers")
	fields := strings.Fields(out)
	if len(fields) != 5 || fields[0] != "shop" || fields[1] != `["shop.example.com"]` || fields[2] != "False" || fields[3] != "BackendNotFound" {
		t.Fatalf("kubectl get ar row: %q", out)
	}
	// The category lists it too.
	if out := c.Kubectl(t, "get", "archway", "-n", ns, "-o", "name"); !strings.Contains(out, "apiroute.archway.dev/shop") {
		t.Fatalf("kubectl get archway: %q", out)
	}
	// observedGeneration is kept, and a bad condition is refused naming the field.
	if got := c.Kubectl(t, "get", "ar", "shop", "-n", ns, "-o", "jsonpath={.status.observedGeneration}"); got != "1" {
		t.Fatalf("observedGeneration: %q", got)
	}
	bad := `{"status":{"conditions":[{"type":"Ready","status":"Maybe","reason":"Ready","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}`
	_, err := c.TryKubectl("patch", "apiroute", "shop", "-n", ns, "--subresource=status", "--type=merge", "-p", bad)
	if err == nil || !strings.Contains(err.Error(), "status.conditions[0].status") {
		t.Fatalf("bad condition status: want a rejection naming status.conditions[0].status, got %v", err)
	}
	dup := `{"status":{"conditions":[
	 {"type":"Ready","status":"True","reason":"Ready","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"},
	 {"type":"Ready","status":"False","reason":"Ready","message":"","lastTransitionTime":"2025-01-01T00:00:00Z"}]}}`
	_, err = c.TryKubectl("patch", "apiroute", "shop", "-n", ns, "--subresource=status", "--type=merge", "-p", dup)
	if err == nil || !strings.Contains(err.Error(), "Duplicate value") {
		t.Fatalf("duplicate condition type: want a Duplicate value rejection, got %v", err)
	}
}
