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
//  2. Scale (bench_scale_test.go): 100, 1k and 10k APIRoutes + Ingresses +
//     5 EndpointSlices each; RSS, full compile, change → served with and
//     without EndpointSlice churn, as one table.
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

var compileLine = regexp.MustCompile(`proxy ACKed snapshot \S+ \((\d+) virtual hosts, (\d+) clusters; compile (\d+) ms, push (\d+) ms`)
