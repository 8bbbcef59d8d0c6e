package bgtasks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Over real loopback HTTP, whatever the response's framing: while a task is
// blocked, the client has read the whole response, and a second request on
// the same keep-alive connection has been answered too.
func TestResponseDoesNotWaitForTasks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		padding int  // bytes added to the body
		length  bool // the handler sets Content-Length
		// what the client sees: a Content-Length, or -1 for chunked
		wantLength func(body string) int64
	}{
		{"content-length", 0, true, func(b string) int64 { return int64(len(b)) }},
		// net/http sets the length itself, since nothing was flushed.
		{"no-length", 0, false, func(b string) int64 { return int64(len(b)) }},
		// Too long for net/http to buffer: sent chunked.
		{"chunked", 8 << 10, false, func(string) int64 { return -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runner := bgtasks.New()
			release := make(chan struct{})
			started := make(chan string, 2)
			bodyOf := func(path string) string { return "queued " + path + strings.Repeat(".", tc.padding) }
			srv := serve(t, runner, func(w http.ResponseWriter, r *http.Request) {
				path := r.URL.Path
				bgtasks.From(r.Context()).Add("slow", func(context.Context) error {
					started <- path
					<-release
					return nil
				})
				body := bodyOf(path)
				if tc.length {
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				}
				fmt.Fprint(w, body)
			})
			client := srv.Client()

			var reused []bool
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = append(reused, info.Reused) }}
			ctx := httptrace.WithClientTrace(context.Background(), trace)
			for _, path := range []string{"/first", "/second"} {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
				resp, body := do(t, client, req) // the whole body: do reads to EOF
				if resp.StatusCode != 200 || body != bodyOf(path) {
					t.Fatalf("%s: %d %.30q", path, resp.StatusCode, body)
				}
				if want := tc.wantLength(body); resp.ContentLength != want {
					t.Fatalf("%s: Content-Length %d, want %d", path, resp.ContentLength, want)
				}
				if got := <-started; got != path {
					t.Fatalf("started %q, want %q", got, path)
				}
			}
			if len(reused) != 2 || !reused[1] {
				t.Fatalf("connections reused: %v; want the second request on the first's connection", reused)
			}
			if s := runner.Stats(); s.Running != 2 || s.Completed != 0 {
				t.Fatalf("with both tasks blocked, stats are %+v", s)
			}
			close(release)
			runner.Wait()
			if s := runner.Stats(); s.Completed != 2 {
				t.Fatalf("after release, stats are %+v", s)
			}
		})
	}
}

// A request's tasks run one by one; different requests' tasks run at once.
func TestTasksOfDifferentRequestsOverlap(t *testing.T) {
	runner := bgtasks.New()
	const requests = 3
	var arrived sync.WaitGroup
	arrived.Add(requests)
	allHere := make(chan struct{})
	var mu sync.Mutex
	running, maxRunning := map[string]int{}, map[string]int{}
	srv := serve(t, runner, func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		q := bgtasks.From(r.Context())
		for i := range 2 {
			q.Add(fmt.Sprint("step ", i), func(context.Context) error {
				mu.Lock()
				running[id]++
				maxRunning[id] = max(maxRunning[id], running[id])
				mu.Unlock()
				if i == 0 { // every request's first task waits for all the others
					arrived.Done()
					<-allHere
				}
				mu.Lock()
				running[id]--
				mu.Unlock()
				return nil
			})
		}
	})
	for i := range requests {
		get(t, srv.Client(), fmt.Sprintf("%s/?id=%d", srv.URL, i))
	}
	arrived.Wait() // only returns if all first tasks run at the same time
	close(allHere)
	runner.Wait()
	for id, n := range maxRunning {
		if n != 1 {
			t.Errorf("request %s ran %d of its tasks at once, want 1", id, n)
		}
	}
}

// The middleware never flushes, with tasks or without.
func TestMiddlewareDoesNotFlush(t *testing.T) {
	for _, synchronous := range []bool{false, true} {
		var opts []bgtasks.Option
		if synchronous {
			opts = append(opts, bgtasks.Synchronous())
		}
		runner := bgtasks.New(opts...)
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("audit", func(context.Context) error { return nil })
		}))
		if w := call(h, "POST", "/"); w.Flushed {
			t.Errorf("synchronous %v: the middleware flushed the response", synchronous)
		}
		runner.Wait()
	}
}
