package bgtasks_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/bgtasks"
)

// An error hook or an observer that panics, or a hook that calls
// runtime.Goexit, is logged, naming it; the task is counted all the same,
// the request's later task still runs, and the server goes on.
func TestMisbehavingHooks(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  bgtasks.Option
		msg  string // the log's record of the hook
	}{
		{"error hook panics",
			bgtasks.WithErrorHook(func(context.Context, *bgtasks.TaskError) { panic("hook bug") }),
			"bgtasks: error hook panicked"},
		{"error hook calls Goexit",
			bgtasks.WithErrorHook(func(context.Context, *bgtasks.TaskError) { runtime.Goexit() }),
			"bgtasks: error hook called runtime.Goexit"},
		{"observer panics", // at every step, in Add on the handler's goroutine too
			bgtasks.WithObserver(func(bgtasks.Event) { panic("observer bug") }),
			"bgtasks: observer panicked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs logBuffer
				runner := bgtasks.New(bgtasks.WithLogger(logs.logger()), tc.opt)
				var ran atomic.Int32 // the two requests' tasks run at once
				h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := bgtasks.From(r.Context())
					q.Add("fails", func(context.Context) error { return errors.New("boom") })
					q.Add("after", func(context.Context) error { ran.Add(1); return nil })
					w.WriteHeader(http.StatusAccepted)
				}))
				for range 2 {
					if w := call(h, "POST", "/"); w.Code != http.StatusAccepted {
						t.Fatalf("status %d", w.Code)
					}
				}
				runner.Wait()

				if n := ran.Load(); n != 2 {
					t.Errorf("the later task ran %d times for 2 requests", n)
				}
				if s := runner.Stats(); s != (bgtasks.Stats{Queued: 4, Completed: 2, Failed: 2}) {
					t.Errorf("stats %+v, want 2 completed, 2 failed", s)
				}
				n := 0
				for _, rec := range logs.records(t) {
					if rec["msg"] == tc.msg {
						n++
						if rec["task"] == nil || rec["stack"] == nil {
							t.Errorf("record %v does not name the task or give the stack", rec)
						}
					}
				}
				if n == 0 {
					t.Errorf("no log record %q", tc.msg)
				}
			})
		})
	}
}
