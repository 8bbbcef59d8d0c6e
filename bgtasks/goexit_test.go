package bgtasks_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/bgtasks"
)

// These tests run in a synctest bubble so that a Goexit the runner misses
// shows as a deadlock, at once, rather than a Wait that hangs until the
// test binary's timeout.

// A task that calls runtime.Goexit, as t.Fatal does, ends failed with
// ErrGoexit, logged with its stack; its request's later tasks still run, and
// Wait returns.
func TestGoexitInTaskIsCountedFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs logBuffer
		var hooked []error
		var rec recorder
		runner := bgtasks.New(bgtasks.WithLogger(logs.logger()), bgtasks.WithObserver(rec.observe),
			bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) { hooked = append(hooked, err.Err) }))
		ran := false
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := bgtasks.From(r.Context())
			q.Add("fatal", func(context.Context) error { runtime.Goexit(); return nil })
			q.Add("after", func(context.Context) error { ran = true; return nil })
		}))
		call(h, "POST", "/")
		runner.Wait()

		if !ran {
			t.Error("the task after the Goexit did not run")
		}
		if s := runner.Stats(); s != (bgtasks.Stats{Queued: 2, Completed: 1, Failed: 1}) {
			t.Errorf("stats %+v, want 1 failed, 1 completed", s)
		}
		if len(hooked) != 1 || !errors.Is(hooked[0], bgtasks.ErrGoexit) {
			t.Errorf("hook got %v, want ErrGoexit", hooked)
		}
		if !strings.Contains(bgtasks.ErrGoexit.Error(), "t.Fatal") {
			t.Errorf("ErrGoexit %q does not mention t.Fatal", bgtasks.ErrGoexit)
		}
		recs := logs.records(t)
		if len(recs) != 1 || recs[0]["task"] != "fatal" || !strings.Contains(recs[0]["stack"].(string), "goexit_test.go") {
			t.Errorf("log %v, want one record for the task, with a stack pointing here", recs)
		}
		var failed []bgtasks.Event
		for _, e := range rec.list() {
			if e.Kind == bgtasks.Failed {
				failed = append(failed, e)
			}
		}
		if len(failed) != 1 || failed[0].Task != "fatal" || !errors.Is(failed[0].Err, bgtasks.ErrGoexit) {
			t.Errorf("failed events %v", failed)
		}
	})
}

// Under a limit, the goroutine that a Goexit ended still gives its slot
// back: a second request's task gets it.
func TestGoexitReturnsTheSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New(quiet(), bgtasks.WithLimit(1, bgtasks.Block))
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("fatal", func(context.Context) error { runtime.Goexit(); return nil })
		}))
		call(h, "POST", "/a")
		call(h, "POST", "/b") // waits for the only slot
		runner.Wait()
		if s := runner.Stats(); s != (bgtasks.Stats{Queued: 2, Failed: 2}) {
			t.Fatalf("stats %+v, want 2 failed", s)
		}
	})
}

// In synchronous mode the tasks run on the caller's goroutine, which the
// Goexit ends: the request's later tasks are abandoned, and counted.
func TestGoexitInSynchronousMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var hooked []error
		runner := bgtasks.New(quiet(), bgtasks.Synchronous(),
			bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) { hooked = append(hooked, err.Err) }))
		ran := false
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := bgtasks.From(r.Context())
			q.Add("fatal", func(context.Context) error { runtime.Goexit(); return nil })
			q.Add("after", func(context.Context) error { ran = true; return nil })
		}))
		exited := make(chan bool)
		go func() {
			returned := false
			defer func() { exited <- returned }()
			call(h, "POST", "/")
			returned = true
		}()
		if <-exited {
			t.Fatal("the middleware returned after its task called runtime.Goexit")
		}
		runner.Wait()
		if ran {
			t.Error("the task after the Goexit ran")
		}
		if s := runner.Stats(); s != (bgtasks.Stats{Queued: 2, Failed: 1, Abandoned: 1}) {
			t.Errorf("stats %+v, want 1 failed, 1 abandoned", s)
		}
		if len(hooked) != 2 || !errors.Is(hooked[0], bgtasks.ErrGoexit) || !errors.Is(hooked[1], bgtasks.ErrAbandoned) {
			t.Errorf("hook got %v", hooked)
		}
	})
}
