package controllere2e

import (
	"strings"
	"testing"
	"time"
)

// A rule that can never match (issue 18): the route gets Shadowed=True
// naming the rule that takes its requests, and a Warning Event; it is
// still Ready and serves; the condition goes once the rule is changed.
func TestShadowedRuleIsNamedAndTheRouteServes(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green")
	route := func(secondHeader string) string {
		return `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: shadow}
spec:
  hostnames: [shadow.example.com]
  rules:
  - name: any-version
    matches: [{path: {value: /api}, headers: [{name: X-Version, type: Present}]}]
    backends: [{name: blue, port: 80}]
  - name: version-two
    matches: [{path: {value: /api}, headers: [{name: ` + secondHeader + `, value: "2"}]}]
    backends: [{name: green, port: 80}]
  - name: rest
    backends: [{name: green, port: 80}]
`
	}
	c.Apply(t, ns, route("X-Version"))
	got := waitCondition(t, c, ns, "shadow", "Shadowed", "True/ShadowedRule/")
	for _, want := range []string{`rule "version-two" can never match`, `rule "any-version" of this APIRoute`} {
		if !strings.Contains(got, want) {
			t.Errorf("Shadowed condition %q lacks %q", got, want)
		}
	}
	waitCondition(t, c, ns, "shadow", "Ready", "True")
	s.expectBackend(t, "shadow.example.com", "/other", "green")
	eventually(t, 30*time.Second, "Warning ShadowedRule Event", func() string {
		if e := events(c, ns, "APIRoute", "shadow"); !strings.Contains(e, "Warning ShadowedRule") {
			return e
		}
		return ""
	})

	// The second rule now keys on another header: both live, the condition goes.
	c.Apply(t, ns, route("X-Other"))
	eventually(t, 30*time.Second, "Shadowed condition removed", func() string {
		if got := condition(t, c, ns, "shadow", "Shadowed"); got != "//" {
			return got
		}
		return ""
	})
	waitCondition(t, c, ns, "shadow", "Ready", "True")
}
