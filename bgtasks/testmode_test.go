package bgtasks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// In synchronous mode the middleware returns only after the tasks have run,
// like FastAPI's TestClient: the test asserts their effect at once.
func TestSynchronousRunsTasksBeforeReturning(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	sent := false
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("send", func(context.Context) error { sent = true; return nil })
	}))
	call(h, "POST", "/register")
	if !sent {
		t.Fatal("the task had not run when the middleware returned")
	}
}

// Over a real connection, synchronous mode holds the response until the
// tasks have run, with or without a Content-Length: the server writes
// nothing to the connection before the task has run.
func TestSynchronousResponseWaitsForTasks(t *testing.T) {
	for _, withLength := range []bool{false, true} {
		t.Run(fmt.Sprint("content-length=", withLength), func(t *testing.T) {
			var mu sync.Mutex
			var order []string
			note := func(s string) {
				mu.Lock()
				defer mu.Unlock()
				order = append(order, s)
			}
			runner := bgtasks.New(bgtasks.Synchronous())
			srv := httptest.NewUnstartedServer(runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				bgtasks.From(r.Context()).Add("audit", func(context.Context) error { note("task ran"); return nil })
				if withLength {
					w.Header().Set("Content-Length", "2")
				}
				io.WriteString(w, "ok")
			})))
			srv.Listener = notingListener{srv.Listener, note}
			srv.Start()
			defer srv.Close()

			if status, body := get(t, srv.Client(), srv.URL); status != 200 || body != "ok" {
				t.Fatalf("%d %q", status, body)
			}
			mu.Lock()
			defer mu.Unlock()
			if want := []string{"task ran", "server wrote the response"}; !slices.Equal(order, want) {
				t.Fatalf("order %q, want %q", order, want)
			}
		})
	}
}

// notingListener notes the first write to each connection it accepts.
type notingListener struct {
	net.Listener
	note func(string)
}

func (l notingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &notingConn{Conn: c, note: l.note}, nil
}

type notingConn struct {
	net.Conn
	note  func(string)
	wrote sync.Once
}

func (c *notingConn) Write(p []byte) (int, error) {
	c.wrote.Do(func() { c.note("server wrote the response") })
	return c.Conn.Write(p)
}

// Wait blocks until every queued task has ended, even slow ones; synctest's
// fake clock makes ten minutes pass at once.
func TestWaitCoversSlowTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New()
		reminded := make(chan time.Time, 1)
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("remind", func(ctx context.Context) error {
				select {
				case <-time.After(10 * time.Minute):
					reminded <- time.Now()
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}))
		start := time.Now()
		call(h, "POST", "/remind-me")
		select {
		case <-reminded:
			t.Fatal("the reminder ran before the response")
		default:
		}
		runner.Wait()
		if got := (<-reminded).Sub(start); got != 10*time.Minute {
			t.Fatalf("reminded after %v, want 10m", got)
		}
	})
}

// Wait returns only once a failed task has been reported: a test that reads
// what its error hook recorded right after Wait sees it.
func TestWaitIncludesReporting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		runner := bgtasks.New(quiet(), bgtasks.WithErrorHook(func(context.Context, *bgtasks.TaskError) { <-release }))
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("fail", func(context.Context) error { return errors.New("boom") })
		}))
		call(h, "POST", "/")
		waited := make(chan struct{})
		go func() { runner.Wait(); close(waited) }()
		synctest.Wait() // every goroutine is blocked: the hook, and Wait
		select {
		case <-waited:
			t.Fatal("Wait returned while the error hook was still running")
		default:
		}
		close(release)
		<-waited
	})
}
