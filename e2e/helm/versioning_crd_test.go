package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

const versionedRules = `
rules:
- name: v1
  matches: [{path: {value: /orders}, version: "1"}]
  backends: [{name: web, port: 80}]
- name: any
  backends: [{name: web, port: 80}]`

// TestVersioningCRDRules: the API server accepts spec.versioning and
// matches[].version, and refuses with the CRD's CEL rules (and schema)
// what they can express, naming the field (docs/versioning.md).
func TestVersioningCRDRules(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	ns := c.Namespace(t)
	good := `
versioning:
  sources:
  - {type: PathSegment, prefix: v, strip: true}
  - {type: Header, name: X-Api-Version}
  - {type: Accept, mediaType: application/vnd.example+json, parameter: version}
  - {type: QueryParam, name: api-version}
  default: "2"
  versions:
  - name: "1"
    deprecation: "2026-01-01T00:00:00Z"
    sunset: "2026-12-31T00:00:00+01:00"
    link: https://developer.example.com/v1
    brownouts: [{start: "2026-10-01T14:00:00Z", end: "2026-10-01T15:00:00Z"}]
  - name: "2"` + versionedRules
	if out, err := c.Run(route("versioned", good), "kubectl", "apply", "--dry-run=server", "--validate=strict", "-n", ns, "-f", "-"); err != nil {
		t.Fatalf("a valid versioned route was refused: %v\n%s", err, out)
	}
	tests := []struct{ name, versioning, rules, want string }{
		{"undeclared-match-version", `{sources: [{type: Header, name: X-V}], versions: [{name: "2"}]}`, versionedRules,
			"a match's version must name one of versioning.versions"},
		{"undeclared-default", `{sources: [{type: Header, name: X-V}], versions: [{name: "1"}], default: "3"}`, versionedRules,
			"default must name one of versions"},
		{"duplicate-version", `{sources: [{type: Header, name: X-V}], versions: [{name: "1"}, {name: "1"}]}`, versionedRules,
			"spec.versioning.versions[1]"},
		{"source-twice", `{sources: [{type: Header, name: X-V}, {type: Header, name: X-W}], versions: [{name: "1"}]}`, versionedRules,
			"each source type may appear once"},
		{"header-without-name", `{sources: [{type: Header}], versions: [{name: "1"}]}`, versionedRules,
			"name is required for Header and QueryParam"},
		{"strip-on-header", `{sources: [{type: Header, name: X-V, strip: true}], versions: [{name: "1"}]}`, versionedRules,
			"prefix and strip are only allowed for PathSegment"},
		{"sunset-before-deprecation", `{sources: [{type: Header, name: X-V}], versions: [{name: "1", deprecation: "2026-06-01T00:00:00Z", sunset: "2026-01-01T00:00:00Z"}]}`, versionedRules,
			"sunset must be after deprecation"},
		{"brownout-end-before-start", `{sources: [{type: Header, name: X-V}], versions: [{name: "1", deprecation: "2026-01-01T00:00:00Z", brownouts: [{start: "2026-06-01T11:00:00Z", end: "2026-06-01T10:00:00Z"}]}]}`, versionedRules,
			"end must be after start"},
		{"brownout-without-deprecation", `{sources: [{type: Header, name: X-V}], versions: [{name: "1", brownouts: [{start: "2026-06-01T10:00:00Z", end: "2026-06-01T11:00:00Z"}]}]}`, versionedRules,
			"brownouts need deprecation"},
		{"bad-time", `{sources: [{type: Header, name: X-V}], versions: [{name: "1", deprecation: "yesterday"}]}`, versionedRules,
			"spec.versioning.versions[0].deprecation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Run(route("bad-"+tc.name, "versioning: "+tc.versioning+tc.rules), "kubectl", "apply", "-n", ns, "-f", "-")
			if err == nil {
				t.Fatalf("kubectl apply succeeded (want %q):\n%s", tc.want, out)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error lacks %q:\n%v", tc.want, err)
			}
		})
	}
}

// TestVersioningExplainAndDocs: `kubectl explain` describes the new fields,
// and the complete examples of docs/versioning.md are accepted.
func TestVersioningExplainAndDocs(t *testing.T) {
	c := cluster.Shared(t)
	installCRD(t, c)
	for field, want := range map[string][]string{
		"apiroute.spec.versioning":                    {"sources <[]Object> -required-", "versions <[]Object> -required-", "default <string>"},
		"apiroute.spec.versioning.sources.type":       {"Header", "Accept", "QueryParam", "PathSegment"},
		"apiroute.spec.versioning.versions.sunset":    {"RFC 8594"},
		"apiroute.spec.versioning.versions.brownouts": {"410"},
		"apiroute.spec.rules.matches.version":         {"spec.versioning.versions"},
	} {
		var out string
		eventually(t, 60*time.Second, func() error {
			var err error
			out, err = c.TryKubectl("explain", field)
			return err
		})
		flat := strings.Join(strings.Fields(out), " ")
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("kubectl explain %s lacks %q:\n%s", field, w, out)
			}
		}
	}
	ns := c.Namespace(t)
	body, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "versioning.md"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, block := range yamlBlocks(string(body)) {
		if !strings.Contains(block, "apiVersion:") || !strings.Contains(block, "kind:") {
			continue
		}
		checked++
		block = strings.ReplaceAll(block, "namespace: shop", "namespace: "+ns)
		if _, err := c.Run(block, "kubectl", "apply", "--dry-run=server", "--validate=strict", "-n", ns, "-f", "-"); err != nil {
			t.Errorf("docs/versioning.md, yaml block %d: %v\n%s", i+1, err, block)
		}
	}
	if checked == 0 {
		t.Fatal("docs/versioning.md has no complete example")
	}
}
