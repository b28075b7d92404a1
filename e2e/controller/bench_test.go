package controllere2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

// The controller benchmark (bench/controller/run.sh): skipped unless
// ARCHWAY_BENCH=1, so `make test` never runs it.
//
//  1. Latency: PATCH an APIRoute at the API server, then poll the proxy every
//     millisecond until a request sees the new answer; p50/p99 over 100
//     updates.
//  2. Scale: 5,000 APIRoutes + 5,000 Ingresses in the API server; the
//     controller's RSS and compile time once it has pushed them all.
func benchEnabled(t *testing.T) {
	if os.Getenv("ARCHWAY_BENCH") == "" {
		t.Skip("set ARCHWAY_BENCH=1 (bench/controller/run.sh) to run")
	}
}

func apiClient(t *testing.T, c *cluster.Cluster) *http.Client {
	t.Helper()
	cfg, err := c.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg.Clone(), MaxIdleConnsPerHost: 64, ForceAttemptHTTP2: true}}
}

func doJSON(client *http.Client, method, url, contentType string, body any) (int, string, error) {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(data))
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func directRoute(ns, name, host, body string) map[string]any {
	return map[string]any{
		"apiVersion": "archway.dev/v1alpha1", "kind": "APIRoute",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{"hostnames": []string{host},
			"rules": []any{map[string]any{"name": "r", "directResponse": map[string]any{"status": 200, "body": body}}}},
	}
}

func TestBenchApplyToTraffic(t *testing.T) {
	benchEnabled(t)
	c := setup(t)
	ns := c.Namespace(t)
	debounce := os.Getenv("ARCHWAY_BENCH_DEBOUNCE")
	if debounce == "" {
		debounce = "50ms" // the shipped default
	}
	s := startStack(t, c, ns, stackOpts{debounce: debounce, extraArgs: []string{"--log-level", "info"}})
	client := apiClient(t, c)
	base := c.Server + "/apis/archway.dev/v1alpha1/namespaces/" + ns + "/apiroutes"
	if code, body, err := doJSON(client, "POST", base, "application/json", directRoute(ns, "lat", "lat.example.com", "v0")); err != nil || code != 201 {
		t.Fatalf("create: %d %v %s", code, err, body)
	}
	s.expectStatus(t, "lat.example.com", "/", 200)
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var samples []time.Duration
	for i := 1; i <= 100; i++ {
		want := "v" + strconv.Itoa(i)
		patch := map[string]any{"spec": map[string]any{"rules": []any{map[string]any{"name": "r", "directResponse": map[string]any{"status": 200, "body": want}}}}}
		start := time.Now()
		if code, body, err := doJSON(client, "PATCH", base+"/lat", "application/merge-patch+json", patch); err != nil || code != 200 {
			t.Fatalf("patch: %d %v %s", code, err, body)
		}
		deadline := start.Add(10 * time.Second)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+s.HTTPAddr+"/", nil)
			req.Host = "lat.example.com"
			resp, err := probe.Do(req)
			got := ""
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got = string(b)
			}
			cancel()
			if got == want {
				samples = append(samples, time.Since(start))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("update %d not visible within 10s (got %q)", i, got)
			}
			time.Sleep(time.Millisecond)
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	p := func(q float64) time.Duration { return samples[int(q*float64(len(samples)-1))] }
	fmt.Printf("BENCH apply-to-traffic (debounce %s) over %d updates: p50 %v p90 %v p99 %v max %v\n", debounce, len(samples),
		p(0.50).Round(100*time.Microsecond), p(0.90).Round(100*time.Microsecond), p(0.99).Round(100*time.Microsecond), samples[len(samples)-1].Round(100*time.Microsecond))
}

var compileLine = regexp.MustCompile(`proxy ACKed snapshot \S+ \((\d+) virtual hosts, (\d+) clusters; compile (\d+) ms, push (\d+) ms\)`)

func TestBenchScale(t *testing.T) {
	benchEnabled(t)
	c := setup(t)
	ns := c.Namespace(t)
	client := apiClient(t, c)
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("ARCHWAY_BENCH_OBJECTS")); err == nil {
		n = v
	}
	created := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := "r" + strconv.Itoa(i)
				host := name + ".scale.example.com"
				if code, body, err := doJSON(client, "POST", c.Server+"/apis/archway.dev/v1alpha1/namespaces/"+ns+"/apiroutes", "application/json", directRoute(ns, name, host, name)); err != nil || code != 201 {
					errs <- fmt.Errorf("apiroute %d: %d %v %s", i, code, err, body)
					return
				}
				ing := map[string]any{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
					"metadata": map[string]any{"name": "i" + strconv.Itoa(i), "namespace": ns},
					"spec": map[string]any{"ingressClassName": "archway", "rules": []any{map[string]any{
						"host": "i" + strconv.Itoa(i) + ".scale.example.com",
						"http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Prefix",
							"backend": map[string]any{"service": map[string]any{"name": "svc", "port": map[string]any{"number": 80}}}}}}}}}}
				if code, body, err := doJSON(client, "POST", c.Server+"/apis/networking.k8s.io/v1/namespaces/"+ns+"/ingresses", "application/json", ing); err != nil || code != 201 {
					errs <- fmt.Errorf("ingress %d: %d %v %s", i, code, err, body)
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			close(work)
			t.Fatal(err)
		case work <- i:
		}
	}
	close(work)
	wg.Wait()
	fmt.Printf("BENCH created %d APIRoutes + %d Ingresses in %v\n", n, n, time.Since(created).Round(time.Millisecond))

	started := time.Now()
	s := startStack(t, c, ns, stackOpts{extraArgs: []string{"--log-level", "info"}})
	want := strconv.Itoa(2 * n)
	var last []string
	eventually(t, 5*time.Minute, "snapshot with every object", func() string {
		data, _ := os.ReadFile(s.Controller.Log)
		for _, m := range compileLine.FindAllStringSubmatch(string(data), -1) {
			if m[1] == want {
				last = m
				return ""
			}
		}
		return "not yet"
	})
	fmt.Printf("BENCH start-to-first-full-push %v: %s virtual hosts, %s clusters, compile %s ms, push %s ms\n",
		time.Since(started).Round(time.Millisecond), last[1], last[2], last[3], last[4])
	// A change compiles everything again: the steady-state compile time.
	if code, body, err := doJSON(client, "PATCH", c.Server+"/apis/archway.dev/v1alpha1/namespaces/"+ns+"/apiroutes/r0", "application/merge-patch+json",
		map[string]any{"spec": map[string]any{"rules": []any{map[string]any{"name": "r", "directResponse": map[string]any{"status": 200, "body": "changed"}}}}}); err != nil || code != 200 {
		t.Fatalf("patch: %d %v %s", code, err, body)
	}
	changed := time.Now()
	eventually(t, 2*time.Minute, "the change through the proxy", func() string {
		_, _, body := s.get("r0.scale.example.com", "/")
		if body == "changed" {
			return ""
		}
		return body
	})
	fmt.Printf("BENCH apply-to-traffic with %d objects: %v\n", 2*n, time.Since(changed).Round(time.Millisecond))
	var rec []string
	eventually(t, time.Minute, "a second full push", func() string {
		data, _ := os.ReadFile(s.Controller.Log)
		all := compileLine.FindAllStringSubmatch(string(data), -1)
		if len(all) >= 2 {
			rec = all[len(all)-1]
			return ""
		}
		return "one push so far"
	})
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Controller.Cmd.Process.Pid))
	rss := ""
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "VmHWM:") {
			rss += strings.Join(strings.Fields(line), " ") + " "
		}
	}
	fmt.Printf("BENCH after one change: compile %s ms, push %s ms; controller %s\n", rec[3], rec[4], rss)
}
