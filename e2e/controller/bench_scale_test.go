package controllere2e

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"archway.dev/e2e/cluster"
)

// The scale bench (issue 18): at each size N of ARCHWAY_BENCH_SIZES
// (default 100, 1000 and 10000) the namespace holds N APIRoutes, N Ingresses
// and N Services with 5 EndpointSlices of 5 endpoints each; the objects grow
// from one size to the next, so the largest costs one creation pass. Per size
// a fresh proxy + controller pair (shipped debounce) is started and measured:
//
//   - start → first full push, with the compile and push time of that push;
//   - change → served: 200 single-object changes (an APIRoute's direct
//     response body), each timed from the PATCH until the proxy answers with
//     it (polled every millisecond); p50 / p99 / max;
//   - the same with EndpointSlice churn at 100 writes/s beside it (100 route
//     changes): churn must not starve route changes;
//   - VmRSS / VmHWM of both processes at the end.
//
// One table at the end, with each row's ratio to the smallest size's row:
// flat means ≤ 1.5×.

const (
	scaleSlicesPerService  = 5
	scaleEndpointsPerSlice = 5
	scaleChangeCount       = 200
	scaleChurnCount        = 100
	scaleChurnRate         = 100 // EndpointSlice writes per second
	scalePhaseDeadline     = 5 * time.Minute
	scaleChangeTimeout     = 60 * time.Second
)

func scaleSizes(t *testing.T) []int {
	spec := os.Getenv("ARCHWAY_BENCH_SIZES")
	if spec == "" {
		spec = "100,1000,10000"
	}
	var sizes []int
	for _, f := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("ARCHWAY_BENCH_SIZES=%q: %q is not a positive count", spec, f)
		}
		if len(sizes) > 0 && n <= sizes[len(sizes)-1] {
			t.Fatalf("ARCHWAY_BENCH_SIZES=%q: sizes must ascend", spec)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// scaleAddress is endpoint e of slice j of service i: unique in 10.0.0.0/8.
func scaleAddress(i, j, e int) string {
	x := (i*scaleSlicesPerService+j)*scaleEndpointsPerSlice + e
	return fmt.Sprintf("10.%d.%d.%d", (x>>16)&255, (x>>8)&255, x&255)
}

func scaleRouteRules(svc, body string) []any {
	return []any{
		map[string]any{"name": "v", "matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/v"}}},
			"directResponse": map[string]any{"status": 200, "body": body}},
		map[string]any{"name": "b", "matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "/"}}},
			"backends": []any{map[string]any{"name": svc, "port": 80}}},
	}
}

// scaleObjects are the objects of index i, as (collection path, body).
func scaleObjects(ns string, i int) [][2]any {
	is := strconv.Itoa(i)
	svc := "svc" + is
	core := "/api/v1/namespaces/" + ns
	out := [][2]any{{core + "/services", map[string]any{"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": svc, "namespace": ns},
		// Headless: the test cluster's service IP range holds a few hundred.
		"spec": map[string]any{"clusterIP": "None", "ports": []any{map[string]any{"name": "http", "port": 80, "targetPort": "http"}}}}}}
	for j := 0; j < scaleSlicesPerService; j++ {
		var eps []any
		for e := 0; e < scaleEndpointsPerSlice; e++ {
			eps = append(eps, map[string]any{"addresses": []string{scaleAddress(i, j, e)}, "conditions": map[string]any{"ready": true}})
		}
		out = append(out, [2]any{"/apis/discovery.k8s.io/v1/namespaces/" + ns + "/endpointslices", map[string]any{
			"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
			"metadata":    map[string]any{"name": svc + "-" + strconv.Itoa(j), "namespace": ns, "labels": map[string]any{"kubernetes.io/service-name": svc}},
			"addressType": "IPv4",
			"ports":       []any{map[string]any{"name": "http", "port": 80, "protocol": "TCP"}},
			"endpoints":   eps}})
	}
	rules := scaleRouteRules(svc, "0")
	out = append(out, [2]any{"/apis/archway.dev/v1alpha1/namespaces/" + ns + "/apiroutes", map[string]any{
		"apiVersion": "archway.dev/v1alpha1", "kind": "APIRoute",
		"metadata": map[string]any{"name": "r" + is, "namespace": ns},
		"spec":     map[string]any{"hostnames": []string{"r" + is + ".scale.example.com"}, "rules": rules}}})
	out = append(out, [2]any{"/apis/networking.k8s.io/v1/namespaces/" + ns + "/ingresses", map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
		"metadata": map[string]any{"name": "i" + is, "namespace": ns},
		"spec": map[string]any{"ingressClassName": "archway", "rules": []any{map[string]any{
			"host": "i" + is + ".scale.example.com",
			"http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Prefix",
				"backend": map[string]any{"service": map[string]any{"name": svc, "port": map[string]any{"number": 80}}}}}}}}}}})
	return out
}

// scaleGrow creates the objects of indexes [from, to) with 16 concurrent writers.
func scaleGrow(t *testing.T, c *cluster.Cluster, client *http.Client, ns string, from, to int) {
	t.Helper()
	created := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if failed.Load() != nil {
					continue
				}
				for _, o := range scaleObjects(ns, i) {
					if code, body, err := doJSON(client, "POST", c.Server+o[0].(string), "application/json", o[1]); err != nil || code != 201 {
						failed.CompareAndSwap(nil, fmt.Errorf("POST %s (index %d): %d %v %s", o[0], i, code, err, body))
						break
					}
				}
			}
		}()
	}
	for i := from; i < to; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatal(err)
	}
	k := to - from
	took := time.Since(created)
	fmt.Printf("BENCH created %d Services + %d EndpointSlices + %d APIRoutes + %d Ingresses (indexes %d..%d) in %v (%.0f objects/s)\n",
		k, scaleSlicesPerService*k, k, k, from, to-1, took.Round(time.Millisecond), float64(k*(3+scaleSlicesPerService))/took.Seconds())
}

type scaleRow struct {
	n                             int
	ctlRSS, proxyRSS              float64 // MiB
	ctlHWM, proxyHWM              float64
	compile, push                 float64 // ms, of the first full push
	p50, p99, churnP99            float64 // ms
	startToPush                   time.Duration
	changeMax, churnP50, churnMax float64
	changes, churnChanges         int
	sliceWrites                   int
	sliceRate                     float64
	steadyCompile, steadyPush     float64 // ms, median of the pushes after the first
	steadyPushes                  int
	clusters                      int
}

func newScaleRow(n int) *scaleRow {
	nan := math.NaN()
	return &scaleRow{n: n, ctlRSS: nan, proxyRSS: nan, ctlHWM: nan, proxyHWM: nan, compile: nan, push: nan,
		p50: nan, p99: nan, churnP99: nan, changeMax: nan, churnP50: nan, churnMax: nan, steadyCompile: nan, steadyPush: nan, sliceRate: nan}
}

// procMiB reads VmRSS and VmHWM of pid in MiB.
func procMiB(pid int) (rss, hwm float64) {
	rss, hwm = math.NaN(), math.NaN()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return
}

func quantiles(samples []time.Duration) (p50, p99, max float64) {
	if len(samples) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := append([]time.Duration(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	at := func(q float64) float64 { return ms(s[int(math.Ceil(q*float64(len(s))))-1]) }
	return at(0.50), at(0.99), ms(s[len(s)-1])
}

// scaleChange PATCHes rule v of route r<k> to answer body, then polls the
// proxy every millisecond until it does; the time from the PATCH's start.
func scaleChange(c *cluster.Cluster, client, probe *http.Client, s *Stack, ns string, k int, body string) (time.Duration, error) {
	name := "r" + strconv.Itoa(k)
	rules := scaleRouteRules("svc"+strconv.Itoa(k), body)
	start := time.Now()
	if code, resp, err := doJSON(client, "PATCH", c.Server+"/apis/archway.dev/v1alpha1/namespaces/"+ns+"/apiroutes/"+name,
		"application/merge-patch+json", map[string]any{"spec": map[string]any{"rules": rules}}); err != nil || code != 200 {
		return 0, fmt.Errorf("patch %s: %d %v %s", name, code, err, resp)
	}
	deadline := start.Add(scaleChangeTimeout)
	got := ""
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+s.HTTPAddr+"/v", nil)
		req.Host = name + ".scale.example.com"
		resp, err := probe.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got = string(b)
		} else {
			got = err.Error()
		}
		cancel()
		if got == body {
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s: %q not served within %v (last answer %q)", name, body, scaleChangeTimeout, got)
		}
		time.Sleep(time.Millisecond)
	}
}

// scaleChanges makes count route changes spread over the n routes (shifted
// by offset), stopping at the phase deadline; it returns the samples.
func scaleChanges(t *testing.T, c *cluster.Cluster, client, probe *http.Client, s *Stack, ns string, n, count, offset int, tag string) []time.Duration {
	t.Helper()
	deadline := time.Now().Add(scalePhaseDeadline)
	var samples []time.Duration
	for idx := 0; idx < count; idx++ {
		if time.Now().After(deadline) {
			// Slow, not wrong: the row says how many changes it holds.
			fmt.Printf("BENCH %s: phase deadline %v passed after %d of %d changes\n", tag, scalePhaseDeadline, idx, count)
			break
		}
		k := (idx*n/count + offset) % n
		d, err := scaleChange(c, client, probe, s, ns, k, fmt.Sprintf("%s-%d", tag, idx))
		if err != nil {
			t.Errorf("%s change %d: %v", tag, idx, err)
			break
		}
		samples = append(samples, d)
	}
	return samples
}

// scaleChurn writes EndpointSlices at rate per second (cycling through the
// 5n slices, flipping endpoint 0's ready condition) until stop is closed;
// it returns the writes done, their rate and the first error.
func scaleChurn(c *cluster.Cluster, client *http.Client, ns string, n, rate int, stop <-chan struct{}) (int, float64, error) {
	tokens := make(chan int, 4*rate)
	var done atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range tokens {
				slices := n * scaleSlicesPerService
				slice, pass := seq%slices, seq/slices
				name := "svc" + strconv.Itoa(slice/scaleSlicesPerService) + "-" + strconv.Itoa(slice%scaleSlicesPerService)
				patch := []any{map[string]any{"op": "replace", "path": "/endpoints/0/conditions/ready", "value": pass%2 == 1}}
				code, body, err := doJSON(client, "PATCH", c.Server+"/apis/discovery.k8s.io/v1/namespaces/"+ns+"/endpointslices/"+name,
					"application/json-patch+json", patch)
				if err != nil || code != 200 {
					firstErr.CompareAndSwap(nil, fmt.Errorf("patch endpointslice %s: %d %v %s", name, code, err, body))
					continue
				}
				done.Add(1)
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	seq := 0
loop:
	for {
		select {
		case <-stop:
			break loop
		case <-tick.C:
			select {
			case tokens <- seq:
				seq++
			default: // the writers lag: this tick is lost, and the rate shows it
			}
		}
	}
	tick.Stop()
	close(tokens)
	wg.Wait()
	took := time.Since(start)
	var err error
	if e := firstErr.Load(); e != nil {
		err = e.(error)
	}
	return int(done.Load()), float64(done.Load()) / took.Seconds(), err
}

func TestBenchScale(t *testing.T) {
	benchEnabled(t)
	sizes := scaleSizes(t)
	c := setup(t)
	ns := c.Namespace(t)
	client := apiClient(t, c)
	logDir := os.Getenv("ARCHWAY_BENCH_LOGS") // keep each size's controller and proxy logs here
	var rows []*scaleRow
	have := 0
	for _, n := range sizes {
		scaleGrow(t, c, client, ns, have, n)
		have = n
		row := newScaleRow(n)
		rows = append(rows, row)
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) { benchScaleSize(t, c, client, ns, n, row, logDir) })
	}
	printScaleTable(rows)
}

func benchScaleSize(t *testing.T, c *cluster.Cluster, client *http.Client, ns string, n int, row *scaleRow, logDir string) {
	started := time.Now()
	s := startStack(t, c, ns, stackOpts{debounce: "50ms", extraArgs: []string{"--log-level", "info"}})
	// Registered after startStack's: runs first, while both processes live.
	t.Cleanup(func() {
		row.ctlRSS, row.ctlHWM = procMiB(s.Controller.Cmd.Process.Pid)
		row.proxyRSS, row.proxyHWM = procMiB(s.Proxy.Cmd.Process.Pid)
		if logDir != "" {
			for name, from := range map[string]string{"controller": s.Controller.Log, "proxy": s.Proxy.Log} {
				if data, err := os.ReadFile(from); err == nil {
					_ = os.WriteFile(filepath.Join(logDir, fmt.Sprintf("n%d-%s.log", n, name)), data, 0o644)
				}
			}
		}
	})
	want := strconv.Itoa(2 * n)
	var first []string
	firstAt := 0
	eventually(t, 15*time.Minute, "a push with all "+want+" virtual hosts", func() string {
		if s.Controller.Exited() || s.Proxy.Exited() {
			t.Fatalf("a process exited (controller %v, proxy %v)", s.Controller.Exited(), s.Proxy.Exited())
		}
		data, _ := os.ReadFile(s.Controller.Log)
		all := compileLine.FindAllStringSubmatchIndex(string(data), -1)
		for _, m := range all {
			if string(data[m[2]:m[3]]) == want {
				first = nil
				for g := 0; g < len(m)/2; g++ {
					first = append(first, string(data[m[2*g]:m[2*g+1]]))
				}
				firstAt = m[1]
				return ""
			}
		}
		if len(all) > 0 {
			m := all[len(all)-1]
			return "last push: " + string(data[m[0]:m[1]])
		}
		return "no push yet"
	})
	row.startToPush = time.Since(started)
	row.clusters, _ = strconv.Atoi(first[2])
	row.compile, _ = strconv.ParseFloat(first[3], 64)
	row.push, _ = strconv.ParseFloat(first[4], 64)
	fmt.Printf("BENCH n=%d start-to-first-full-push %v: %s virtual hosts, %s clusters, compile %s ms, push %s ms\n",
		n, row.startToPush.Round(time.Millisecond), first[1], first[2], first[3], first[4])
	if row.clusters < n {
		t.Errorf("%d clusters for %d Services: the backends were not compiled", row.clusters, n)
	}
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	eventually(t, time.Minute, "r0 /v served", func() string {
		code, _, body := s.get("r0.scale.example.com", "/v")
		if code == 200 {
			return ""
		}
		return fmt.Sprintf("HTTP %d %s", code, body)
	})

	samples := scaleChanges(t, c, client, probe, s, ns, n, scaleChangeCount, 0, fmt.Sprintf("n%d-change", n))
	row.changes = len(samples)
	row.p50, row.p99, row.changeMax = quantiles(samples)
	fmt.Printf("BENCH n=%d change→served over %d changes: p50 %s ms p99 %s ms max %s ms\n", n, len(samples),
		fmtCell(row.p50, 1), fmtCell(row.p99, 1), fmtCell(row.changeMax, 1))

	stop := make(chan struct{})
	type churnResult struct {
		writes int
		rate   float64
		err    error
	}
	res := make(chan churnResult, 1)
	go func() {
		w, r, err := scaleChurn(c, client, ns, n, scaleChurnRate, stop)
		res <- churnResult{w, r, err}
	}()
	churn := scaleChanges(t, c, client, probe, s, ns, n, scaleChurnCount, n/(2*scaleChurnCount)+1, fmt.Sprintf("n%d-churn", n))
	close(stop)
	cr := <-res
	if cr.err != nil {
		t.Errorf("churn: %v", cr.err)
	}
	row.churnChanges, row.sliceWrites, row.sliceRate = len(churn), cr.writes, cr.rate
	row.churnP50, row.churnP99, row.churnMax = quantiles(churn)
	fmt.Printf("BENCH n=%d change→served under EndpointSlice churn over %d changes: p50 %s ms p99 %s ms max %s ms; %d slice writes at %.1f/s\n",
		n, len(churn), fmtCell(row.churnP50, 1), fmtCell(row.churnP99, 1), fmtCell(row.churnMax, 1), cr.writes, cr.rate)

	// The pushes after the first full one: each a full compile of the same set.
	data, _ := os.ReadFile(s.Controller.Log)
	var comp, push []time.Duration
	for _, m := range compileLine.FindAllStringSubmatch(string(data[firstAt:]), -1) {
		cm, _ := strconv.Atoi(m[3])
		pm, _ := strconv.Atoi(m[4])
		comp = append(comp, time.Duration(cm)*time.Millisecond)
		push = append(push, time.Duration(pm)*time.Millisecond)
	}
	row.steadyPushes = len(comp)
	row.steadyCompile, _, _ = quantiles(comp)
	row.steadyPush, _, _ = quantiles(push)
}

func fmtCell(v float64, prec int) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

func printScaleTable(rows []*scaleRow) {
	if len(rows) == 0 {
		return
	}
	head := []string{"objects", "ctl RSS MiB", "proxy RSS MiB", "full compile ms", "push ms", "change p50 ms", "change p99 ms", "churn p99 ms"}
	cols := func(r *scaleRow) []float64 {
		return []float64{r.ctlRSS, r.proxyRSS, r.compile, r.push, r.p50, r.p99, r.churnP99}
	}
	objects := func(r *scaleRow) string {
		return fmt.Sprintf("%d+%d+%d", r.n, r.n, scaleSlicesPerService*r.n)
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("BENCH ")
		for i, c := range cells {
			if i == 0 {
				fmt.Fprintf(&b, "%-20s", c)
			} else {
				fmt.Fprintf(&b, " %15s", c)
			}
		}
		fmt.Println(strings.TrimRight(b.String(), " "))
	}
	fmt.Println("BENCH scale: objects = APIRoutes+Ingresses+EndpointSlices (5 endpoints each; one Service per 5 slices)")
	line(head)
	for _, r := range rows {
		cells := []string{objects(r)}
		for i, v := range cols(r) {
			prec := 1
			if i >= 2 && i <= 3 {
				prec = 0
			}
			cells = append(cells, fmtCell(v, prec))
		}
		line(cells)
	}
	base := rows[0]
	fmt.Printf("BENCH ratio to the %s row (flat means <= 1.5x):\n", objects(base))
	line(head)
	for _, r := range rows {
		cells := []string{objects(r)}
		b := cols(base)
		for i, v := range cols(r) {
			cell := fmtCell(v/b[i], 2)
			if cell != "-" {
				cell += "x"
			}
			cells = append(cells, cell)
		}
		line(cells)
	}
	for _, r := range rows {
		fmt.Printf("BENCH %s: start-to-full-push %v, %d clusters; VmHWM controller %s MiB, proxy %s MiB; %d/%d changes (max %s ms), %d/%d under churn (p50 %s ms, max %s ms) with %d slice writes at %s/s; %d later pushes: median compile %s ms, push %s ms\n",
			objects(r), r.startToPush.Round(time.Millisecond), r.clusters, fmtCell(r.ctlHWM, 1), fmtCell(r.proxyHWM, 1),
			r.changes, scaleChangeCount, fmtCell(r.changeMax, 1), r.churnChanges, scaleChurnCount, fmtCell(r.churnP50, 1), fmtCell(r.churnMax, 1),
			r.sliceWrites, fmtCell(r.sliceRate, 1), r.steadyPushes, fmtCell(r.steadyCompile, 0), fmtCell(r.steadyPush, 0))
	}
}
