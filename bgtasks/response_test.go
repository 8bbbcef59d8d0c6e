package bgtasks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Over real loopback HTTP: while a task is blocked, the client has read the
// whole response, and a second request on the same keep-alive connection
// has been answered too.
func TestTasksRunAfterTheResponse(t *testing.T) {
	runner := bgtasks.New()
	release := make(chan struct{})
	started := make(chan string, 2)
	srv := serve(t, runner, func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		bgtasks.From(r.Context()).Add("slow", func(context.Context) error {
			started <- path
			<-release
			return nil
		})
		fmt.Fprintf(w, "queued %s", path)
	})
	client := srv.Client()

	status, body := get(t, client, srv.URL+"/first")
	if status != 200 || body != "queued /first" {
		t.Fatalf("first response: %d %q", status, body)
	}
	if got := <-started; got != "/first" {
		t.Fatalf("started %q", got)
	}

	// The first task is still blocked; the same connection serves another.
	var reused bool
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", srv.URL+"/second", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !reused {
		t.Fatal("second request did not reuse the keep-alive connection")
	}
	if resp.StatusCode != 200 {
		t.Fatalf("second response: %d", resp.StatusCode)
	}
	if got := <-started; got != "/second" {
		t.Fatalf("started %q", got)
	}
	if s := runner.Stats(); s.Running != 2 || s.Completed != 0 {
		t.Fatalf("with both tasks blocked, stats are %+v", s)
	}
	close(release)
	runner.Wait()
	if s := runner.Stats(); s.Completed != 2 {
		t.Fatalf("after release, stats are %+v", s)
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

// A request that queues nothing is left alone: not flushed, so net/http still
// sets Content-Length.
func TestNoTasksNoFlush(t *testing.T) {
	runner := bgtasks.New()
	srv := serve(t, runner, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	})
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != 5 {
		t.Fatalf("Content-Length %d, want 5", resp.ContentLength)
	}
}
