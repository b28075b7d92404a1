package controllere2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// `timeouts: {request: 0s}` means "no limit" (the CRD says so). It must
// neither be refused by the proxy nor freeze the configuration: 10 other
// routes changed afterwards are each Programmed with their new generation,
// and the 0s route itself serves.
func TestZeroTimeoutFreezesNothing(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue", "green")
	const others = 10
	for i := 0; i < others; i++ {
		c.Apply(t, ns, routeYAML(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d.example.com", i), "/v1", "blue"))
	}
	for i := 0; i < others; i++ {
		if err := c.WaitCondition(ns, fmt.Sprintf("apiroute/r%d", i), "Ready", 60*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: zero}
spec:
  hostnames: [zero.example.com]
  rules:
  - name: main
    timeouts: {request: 0s, idle: 0s}
    backends: [{name: blue, port: 80}]
`)
	// Compiled (and so in every snapshot from now on); whether the proxy
	// takes it is what the rest of the test finds out.
	waitCondition(t, c, ns, "zero", "Accepted", "True")

	for i := 0; i < others; i++ {
		c.Apply(t, ns, routeYAML(fmt.Sprintf("r%d", i), fmt.Sprintf("r%d.example.com", i), "/v2", "green"))
	}
	var wg sync.WaitGroup
	for i := 0; i < others; i++ {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			var got string
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				if got = programmedAt(t, c, ns, name); got == "True/2" {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Errorf("%s: Programmed %q, want True at generation 2 (%s)", name, got,
				condition(t, c, ns, name, "Programmed"))
		}(fmt.Sprintf("r%d", i))
	}
	wg.Wait()
	for i := 0; i < others; i++ {
		s.expectBackend(t, fmt.Sprintf("r%d.example.com", i), "/v2/x", "green")
	}
	// The 0s route itself is served, without a time limit rather than
	// timing out at once.
	if got := condition(t, c, ns, "zero", "Programmed"); !strings.HasPrefix(got, "True/Programmed") {
		t.Errorf("zero: Programmed %s", got)
	}
	s.expectBackend(t, "zero.example.com", "/", "blue")
}
