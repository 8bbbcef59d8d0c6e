package bgtasks_test

import (
	"context"
	"errors"
	"net/http"
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
	w := call(h, "POST", "/register")
	if !w.Flushed {
		t.Error("the response was not flushed before the tasks ran")
	}
	if !sent {
		t.Fatal("the task had not run when the middleware returned")
	}
}

// Wait blocks until every queued task has ended, even slow ones; synctest's
// fake clock makes ten minutes pass at once.
func TestWaitCoversSlowTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New()
		var remindedAt time.Time
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("remind", func(ctx context.Context) error {
				select {
				case <-time.After(10 * time.Minute):
					remindedAt = time.Now()
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		}))
		start := time.Now()
		call(h, "POST", "/remind-me")
		if !remindedAt.IsZero() {
			t.Fatal("the reminder ran before the response")
		}
		runner.Wait()
		if got := remindedAt.Sub(start); got != 10*time.Minute {
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
