package proxye2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The page a browser loads from a test origin: it calls the proxy
// cross-origin with a credentialed fetch() and a custom header (so the
// browser sends a preflight first), then writes what happened into the DOM.
const corsPage = `<!doctype html><html><body><pre id="result">pending</pre><script>
fetch(%q, {method: "PUT", credentials: "include", headers: {"X-Token": "t"}, body: "x"})
  .then(r => r.json())
  .then(j => { document.getElementById("result").textContent = "fetched:" + j.method + ":" + j.name; })
  .catch(e => { document.getElementById("result").textContent = "blocked:" + e; });
</script></body></html>`

// servePage serves corsPage on a fresh loopback port and returns the page's
// URL with host (127.0.0.1 or localhost: two different origins).
func servePage(t *testing.T, host, target string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, corsPage, target)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return fmt.Sprintf("http://%s:%d/", host, ln.Addr().(*net.TCPAddr).Port)
}

// browse loads url in headless Chromium, lets its scripts run, and returns
// the text the page wrote into #result.
func browse(t *testing.T, browser, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
		"--user-data-dir="+filepath.Join(t.TempDir(), "profile"),
		// Virtual time runs the page's fetches to completion before the DOM is dumped.
		"--virtual-time-budget=10000", "--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	m := regexp.MustCompile(`<pre id="result">([^<]*)</pre>`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("chromium %s: no #result in the page:\n%s", url, out)
	}
	return m[1]
}

// TestCORSInARealBrowser: headless Chromium (Debian's package) runs a page
// whose fetch() calls the proxy cross-origin, with credentials and a custom
// header. From an allowed origin the preflight and the call succeed; from a
// disallowed one the browser blocks the call and the backend never sees it.
func TestCORSInARealBrowser(t *testing.T) {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("ARCHWAY_SKIP_BROWSER") != "" {
			t.Skip("chromium not installed and ARCHWAY_SKIP_BROWSER is set")
		}
		t.Fatal("chromium not found: scripts/install-deps.sh installs it (or set ARCHWAY_SKIP_BROWSER=1)")
	}
	be := startBackend(t, "api")
	// The allowed page's origin is only known once it listens; the proxy's
	// port is known once it starts: start the proxy, then apply the policy.
	p := startProxy(t, corsSnapshot(be), ProxyOptions{})
	target := p.URL("/api/items")
	allowedPage := servePage(t, "127.0.0.1", target)
	deniedPage := servePage(t, "localhost", target)
	snap := corsSnapshot(be, strings.TrimSuffix(allowedPage, "/"))
	snap.Version = "2"
	p.MustApply(t, snap)

	if got := browse(t, browser, allowedPage); got != "fetched:PUT:api" {
		t.Errorf("from the allowed origin %s: %q, want fetched:PUT:api", allowedPage, got)
	}
	before := be.Stats(t).Requests
	if got := browse(t, browser, deniedPage); !strings.HasPrefix(got, "blocked:") {
		t.Errorf("from the disallowed origin %s: %q, want the browser to block it", deniedPage, got)
	}
	if after := be.Stats(t).Requests; after != before {
		t.Errorf("the blocked call reached the backend (%d → %d requests)", before, after)
	}
}
