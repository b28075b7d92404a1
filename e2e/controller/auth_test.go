package controllere2e

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archway.dev/e2e/internal/backend"
)

// auth.apiKey through the real API server: keys in a Secret, the
// controller ships only their digests, the proxy checks the header curl
// sends. docs/auth.md "API keys".

// keyedResponse is what curl got for one request to the proxy.
type keyedResponse struct {
	status int
	www    string // WWW-Authenticate
	body   string
	answer backend.Answer // the echo backend's answer, when it answered
}

// curlWithKey sends GET http://<proxy><path> with Host `host` and, unless
// key is empty, the API key in X-Api-Key, through curl.
func curlWithKey(t *testing.T, s *Stack, host, path, key string) keyedResponse {
	t.Helper()
	args := []string{"-sS", "-i", "--max-time", "3", "-H", "Host: " + host}
	if key != "" {
		args = append(args, "-H", "X-Api-Key: "+key)
	}
	out, err := exec.Command("curl", append(args, "http://"+s.HTTPAddr+path)...).Output()
	if err != nil {
		return keyedResponse{body: "curl: " + err.Error()}
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil)
	if err != nil {
		return keyedResponse{body: "unreadable answer: " + string(out)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// Every challenge, in order: DESIGN.md §4's Bearer one, then the API key's.
	r := keyedResponse{status: resp.StatusCode, www: strings.Join(resp.Header.Values("WWW-Authenticate"), " | "), body: string(body)}
	if r.status == 200 {
		r.answer, _ = backend.ParseAnswer(body)
	}
	return r
}

// expectKeyStatus waits until a request with key gets status `want`.
func expectKeyStatus(t *testing.T, s *Stack, host, path, key string, want int) keyedResponse {
	t.Helper()
	var got keyedResponse
	eventually(t, 20*time.Second, fmt.Sprintf("%s%s with key %q → %d", host, path, key, want), func() string {
		got = curlWithKey(t, s, host, path, key)
		if got.status == want {
			return ""
		}
		return fmt.Sprintf("HTTP %d %s", got.status, strings.TrimSpace(got.body))
	})
	return got
}

func apiKeySecret(aliceKeys ...string) string {
	value, _ := json.Marshal(strings.Join(aliceKeys, "\n"))
	return `apiVersion: v1
kind: Secret
metadata: {name: api-keys}
stringData:
  alice: ` + string(value) + `
`
}

// TestAuthAPIKeyGuardsTheRuleAndRotatesWithTheSecret: the right key reaches
// the backend (which never sees it), a wrong or missing key gets 401 with
// the ApiKey challenge, a key rotated in the Secret ("old\nnew", then
// "new") takes effect without touching the APIRoute, the key id is the
// access log's identity, and no key is in the proxy's state file or either
// process's log. A deleted Secret closes the rule (SecretNotFound).
func TestAuthAPIKeyGuardsTheRuleAndRotatesWithTheSecret(t *testing.T) {
	c := setup(t)
	ns := c.Namespace(t)
	s := startStack(t, c, ns, stackOpts{})
	serveBackends(t, c, ns, "blue")
	const oldKey = "ak_old_5f0c2a7e9b3d4c1a8e2f"
	const newKey = "ak_new_8e1b7d3c2a9f6e04d1c3"
	c.Apply(t, ns, apiKeySecret(oldKey))
	c.Apply(t, ns, `apiVersion: archway.dev/v1alpha1
kind: APIRoute
metadata: {name: keyed}
spec:
  hostnames: [keyed.example.com]
  rules:
  - name: guarded
    matches: [{path: {value: /private}}]
    auth: {apiKey: {header: X-Api-Key, secretRef: {name: api-keys}}}
    backends: [{name: blue, port: 80}]
  - name: open
    matches: [{path: {value: /public}}]
    backends: [{name: blue, port: 80}]
`)
	waitCondition(t, c, ns, "keyed", "Ready", "True")
	const host = "keyed.example.com"

	ok := expectKeyStatus(t, s, host, "/private", oldKey, 200)
	if ok.answer.Name != "blue" {
		t.Errorf("the right key was not answered by the backend: %+v", ok)
	}
	for name := range ok.answer.Headers {
		if strings.EqualFold(name, "X-Api-Key") {
			t.Errorf("the backend saw the key header: %v", ok.answer.Headers)
		}
	}
	refusals := []struct {
		name, key, www, body string
	}{
		{"wrong key", "ak_wrong_0000000000000000", `Bearer error="invalid_token" | ApiKey header="x-api-key", error="invalid_key"`,
			`{"error":"invalid_key","status":401}`},
		{"no key", "", `Bearer | ApiKey header="x-api-key"`, `{"error":"unauthorized","status":401}`},
	}
	for _, r := range refusals {
		got := curlWithKey(t, s, host, "/private", r.key)
		if got.status != 401 || got.www != r.www || got.body != r.body {
			t.Errorf("%s: got %d %q %q, want 401 %q %q", r.name, got.status, got.www, got.body, r.www, r.body)
		}
	}
	if got := curlWithKey(t, s, host, "/public", ""); got.status != 200 {
		t.Errorf("the open rule beside it: %d %s", got.status, got.body)
	}

	// Rotation, through the Secret alone: both keys while clients move,
	// then the new one only.
	c.Apply(t, ns, apiKeySecret(oldKey, newKey))
	expectKeyStatus(t, s, host, "/private", newKey, 200)
	if got := curlWithKey(t, s, host, "/private", oldKey); got.status != 200 {
		t.Errorf("the old key during the rotation: %d %s", got.status, got.body)
	}
	c.Apply(t, ns, apiKeySecret(newKey))
	expectKeyStatus(t, s, host, "/private", oldKey, 401)
	if got := curlWithKey(t, s, host, "/private", newKey); got.status != 200 {
		t.Errorf("the new key after the rotation: %d %s", got.status, got.body)
	}

	// The key id is the access log's identity (the proxy logs to stdout).
	proxyLog := filepath.Join(s.dir, "proxy.log")
	eventually(t, 10*time.Second, "an access log line with identity alice", func() string {
		return findAccessLine(proxyLog, "/private", 200, "alice")
	})
	if msg := findAccessLine(proxyLog, "/private", 401, ""); msg != "" {
		t.Errorf("a refused request's line: %s", msg)
	}

	// No key material anywhere the proxy or the controller wrote; the state
	// file does hold the new key's digest, so the right file was read.
	state, err := os.ReadFile(filepath.Join(s.dir, "state", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(newKey))
	if !strings.Contains(string(state), hex.EncodeToString(digest[:])) {
		t.Errorf("the state file does not hold the new key's digest")
	}
	for _, file := range []string{filepath.Join(s.dir, "state", "snapshot.json"), proxyLog,
		filepath.Join(s.dir, "controller-ctl-"+ns+".log")} {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{oldKey, newKey} {
			for _, leaked := range []string{key, base64.StdEncoding.EncodeToString([]byte(key))} {
				if strings.Contains(string(content), leaked) {
					t.Errorf("%s holds an API key (%q)", filepath.Base(file), leaked)
				}
			}
		}
	}

	// Deleting the Secret closes the rule (503, never served without
	// authentication) and says why; the open rule keeps serving.
	c.Kubectl(t, "-n", ns, "delete", "secret", "api-keys")
	got := waitCondition(t, c, ns, "keyed", "ResolvedRefs", "False/SecretNotFound")
	if !strings.Contains(got, "api-keys") {
		t.Errorf("the condition does not name the Secret: %s", got)
	}
	expectKeyStatus(t, s, host, "/private", newKey, 503)
	if got := curlWithKey(t, s, host, "/public", ""); got.status != 200 {
		t.Errorf("the open rule after the Secret went: %d %s", got.status, got.body)
	}
	c.Apply(t, ns, apiKeySecret(newKey))
	expectKeyStatus(t, s, host, "/private", newKey, 200)
}

// findAccessLine returns "" when the JSON access log in path has a line
// for `path` with `status` and `identity` (null in the log when ""), else
// what it found.
func findAccessLine(path, target string, status int, identity string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	seen := 0
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), `{"time":`) {
			continue
		}
		var line struct {
			Path     string  `json:"path"`
			Status   int     `json:"status"`
			Rule     string  `json:"rule"`
			Identity *string `json:"identity"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Path != target || line.Status != status {
			continue
		}
		seen++
		if line.Rule != "guarded" {
			continue
		}
		if (identity == "" && line.Identity == nil) || (line.Identity != nil && *line.Identity == identity) {
			return ""
		}
	}
	return fmt.Sprintf("%d lines for %s with status %d, none of rule guarded with identity %q", seen, target, status, identity)
}
