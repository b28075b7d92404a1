package cluster

import (
	"fmt"
	"strings"
	"time"
)

// WaitCondition polls until the condition condType of object (kubectl's
// "kind/name", with "-n", ns when ns is not empty) has status "True", for at
// most timeout; otherwise the error names the object and shows its status.
//
// Use it instead of `kubectl wait --for=condition=...`, which fails at once
// ("accessor error: <nil> is of the type <nil>") when it reads an object
// whose .status.conditions is still null, as a CRD's is right after it is
// created: whether such a wait passes depends on timing.
func (c *Cluster) WaitCondition(ns, object, condType string, timeout time.Duration) error {
	var inNamespace []string
	if ns != "" {
		inNamespace = []string{"-n", ns}
	}
	get := func(jsonpath string) (string, error) {
		return c.TryKubectl(append([]string{"get", object, "-o", "jsonpath=" + jsonpath}, inNamespace...)...)
	}
	deadline := time.Now().Add(timeout)
	for {
		out, err := get(fmt.Sprintf(`{.status.conditions[?(@.type==%q)].status}`, condType))
		if err == nil && strings.TrimSpace(out) == "True" {
			return nil
		}
		if time.Now().After(deadline) {
			status, statusErr := get("{.status}")
			if statusErr != nil {
				status = statusErr.Error()
			}
			return fmt.Errorf("%s: condition %s not True after %v (last read: %q, %v); status: %s",
				object, condType, timeout, strings.TrimSpace(out), err, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
