package bgtasks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Each benchmark has a baseline sub-benchmark measured in the same run:
// compare ratios, not absolute times.
//
//	go test -run '^$' -bench . -benchmem -count=6 ./bgtasks > new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest new.txt

// discard is the cheapest ResponseWriter, so that only the middleware's own
// cost shows.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}

func serveN(b *testing.B, h http.Handler) {
	w := &discard{h: http.Header{}}
	req := httptest.NewRequest("POST", "/orders", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// The cost of the middleware on a request that queues nothing.
func BenchmarkNoTask(b *testing.B) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	b.Run("bare-handler", func(b *testing.B) { serveN(b, bare) })
	b.Run("middleware", func(b *testing.B) { serveN(b, bgtasks.New().Middleware(bare)) })
}

// Queue and run one task, against a bare goroutine and WaitGroup: in a bare
// handler, and in a handler behind the middleware, which isolates what Add
// costs over go func().
func BenchmarkOneTask(b *testing.B) {
	spawn := func(wg *sync.WaitGroup) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			wg.Add(1)
			go func() { defer wg.Done(); work(r.Context()) }()
		}
	}
	b.Run("bare-goroutine", func(b *testing.B) {
		var wg sync.WaitGroup
		serveN(b, spawn(&wg))
		wg.Wait()
	})
	b.Run("goroutine-behind-middleware", func(b *testing.B) {
		var wg sync.WaitGroup
		serveN(b, bgtasks.New().Middleware(spawn(&wg)))
		wg.Wait()
	})
	b.Run("bgtasks", func(b *testing.B) {
		runner := bgtasks.New()
		serveN(b, runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("work", work)
		})))
		runner.Wait()
	})
}

var sink atomic.Int64

func work(ctx context.Context) error {
	sink.Add(1)
	return nil
}

// Requests per second over loopback HTTP, one task per request, against the
// same server spawning a bare goroutine, with and without a Content-Length
// set by the handler. The middleware never flushes, so without one net/http
// still sets it itself, as it does behind a bare goroutine.
func BenchmarkLoopback(b *testing.B) {
	body := strings.Repeat("x", 64)
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter)
	}{
		{"no-length", func(w http.ResponseWriter) { io.WriteString(w, body) }},
		{"content-length", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			io.WriteString(w, body)
		}},
	} {
		b.Run(tc.name+"/bare-goroutine", func(b *testing.B) {
			var wg sync.WaitGroup
			loopback(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				wg.Add(1)
				go func() { defer wg.Done(); work(r.Context()) }()
				tc.respond(w)
			}))
			wg.Wait()
		})
		b.Run(tc.name+"/bgtasks", func(b *testing.B) {
			runner := bgtasks.New()
			loopback(b, runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				bgtasks.From(r.Context()).Add("work", work)
				tc.respond(w)
			})))
			runner.Wait()
		})
	}
}

func loopback(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// Memory under a burst of slow tasks: 5,000 requests from 32 clients, each
// queueing a task that takes 2ms. Without a limit every request's tasks get
// a goroutine at once; with one, the goroutines are capped and the clients
// feel the backpressure. Reports the peak goroutines and peak heap+stack.
func BenchmarkBurstOfSlowTasks(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []bgtasks.Option
	}{
		{"unlimited", nil},
		{"limit=64,block", []bgtasks.Option{bgtasks.WithLimit(64, bgtasks.Block)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var peakG, peakMem uint64
			for b.Loop() {
				g, mem := burst(tc.opts)
				peakG, peakMem = max(peakG, g), max(peakMem, mem)
			}
			b.ReportMetric(float64(peakG), "peak-goroutines")
			b.ReportMetric(float64(peakMem)/(1<<20), "peak-MiB")
		})
	}
}

func burst(opts []bgtasks.Option) (peakGoroutines, peakBytes uint64) {
	const requests, clients = 5000, 32
	runner := bgtasks.New(opts...)
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("slow", func(ctx context.Context) error {
			time.Sleep(2 * time.Millisecond) // stands in for slow I/O
			return nil
		})
	}))
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample while the burst lasts
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			peakGoroutines = max(peakGoroutines, uint64(runtime.NumGoroutine()))
			peakBytes = max(peakBytes, m.HeapInuse+m.StackInuse)
		}
	}()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			w := &discard{h: http.Header{}}
			req := httptest.NewRequest("POST", "/upload", nil)
			for next.Add(1) <= requests {
				h.ServeHTTP(w, req)
			}
		})
	}
	wg.Wait()
	runner.Wait()
	close(stop)
	<-sampled
	return peakGoroutines, peakBytes
}
