// Command echo-backend is a tiny HTTP backend for end-to-end tests and
// `make run`: every request is answered with JSON naming the backend and
// echoing the method, path, query, host and headers it received.
//
//	echo-backend -name blue -listen 127.0.0.1:0 -ready-file /tmp/blue.addr
//
// With -ready-file, the bound address is written there once the listener is
// open, so a launcher can wait for it without polling the port.
//
// GET /__echo/seen?userAgent=UA answers {"count":N,"path":P}: how many
// requests came with that User-Agent and the last one's path (e.g. the
// proxy's health checks, "archway-health-check"). Paths under /__echo/ are
// neither echoed nor counted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

// seen counts requests by User-Agent.
type seen struct {
	mu    sync.Mutex
	count map[string]int
	path  map[string]string
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count[r.UserAgent()]++
	s.path[r.UserAgent()] = r.URL.Path
}

func (s *seen) answer(w http.ResponseWriter, r *http.Request) {
	ua := r.URL.Query().Get("userAgent")
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"count": s.count[ua], "path": s.path[ua]})
}

type answer struct {
	Name    string              `json:"name"`
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
}

func main() {
	name := flag.String("name", "echo", "name reported in every answer")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (loopback only)")
	readyFile := flag.String("ready-file", "", "write the bound address here when listening")
	flag.Parse()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	if *readyFile != "" {
		tmp := *readyFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			log.Fatalf("ready file: %v", err)
		}
		if err := os.Rename(tmp, *readyFile); err != nil {
			log.Fatalf("ready file: %v", err)
		}
	}
	requests := &seen{count: map[string]int{}, path: map[string]string{}}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__echo/seen" {
			requests.answer(w, r)
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/__echo/") {
			requests.add(r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", *name)
		_ = json.NewEncoder(w).Encode(answer{
			Name: *name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Host: r.Host, Headers: r.Header,
		})
	})
	srv := &http.Server{Handler: handler}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
