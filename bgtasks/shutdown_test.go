package bgtasks_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Shutdown waits for queued and running tasks.
func TestShutdownDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New()
		done := 0
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := bgtasks.From(r.Context())
			for range 3 {
				q.Add("mail", func(context.Context) error {
					time.Sleep(time.Second)
					done++
					return nil
				})
			}
		}))
		call(h, "POST", "/register")
		if err := runner.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if done != 3 {
			t.Fatalf("Shutdown returned with %d of 3 tasks done", done)
		}
	})
}

// After Shutdown begins, new tasks are refused: counted, logged, abandoned.
func TestShutdownRefusesNewWork(t *testing.T) {
	var logs logBuffer
	runner := bgtasks.New(bgtasks.WithLogger(logs.logger()))
	if err := runner.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ran := false
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("late", func(context.Context) error { ran = true; return nil })
	}))
	call(h, "GET", "/")
	runner.Wait()
	if ran {
		t.Fatal("a task queued after Shutdown ran")
	}
	if s := runner.Stats(); s.Queued != 1 || s.Abandoned != 1 {
		t.Fatalf("stats %+v", s)
	}
	if recs := logs.records(t); len(recs) != 1 || !strings.Contains(recs[0]["reason"].(string), "shutting down") {
		t.Fatalf("log %v", recs)
	}
}

// When Shutdown's deadline passes, task contexts are cancelled and every
// task still queued or running is counted abandoned, and the error says how
// many.
func TestShutdownDeadlineAbandons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New(quiet())
		var cancelled error
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := bgtasks.From(r.Context())
			q.Add("slow export", func(ctx context.Context) error {
				<-ctx.Done() // honours cancellation, but only that
				cancelled = ctx.Err()
				return ctx.Err()
			})
			q.Add("never started", func(context.Context) error { return nil })
		}))
		call(h, "POST", "/export")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := runner.Shutdown(ctx)
		if !errors.Is(err, bgtasks.ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Shutdown returned %v", err)
		}
		if want := "2 task(s) abandoned (1 running, 1 not started)"; !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q does not say %q", err, want)
		}
		synctest.Wait()
		if !errors.Is(cancelled, context.Canceled) {
			t.Fatalf("the running task's context ended with %v, want Canceled", cancelled)
		}
		if s := runner.Stats(); s.Abandoned != 2 || s.Completed+s.Failed != 0 || s.Running != 0 {
			t.Fatalf("stats %+v", s)
		}
	})
}

// Under load, with shutdown at a random moment, every task ends counted
// exactly once: completed + failed + abandoned == queued.
func TestShutdownUnderLoadAccountsForEveryTask(t *testing.T) {
	for round := range 5 {
		const requests = 2000
		var served atomic.Int64
		shutdownAt := 1 + rand.Int64N(requests) // a random moment in the load
		now := make(chan struct{})
		runner := bgtasks.New(quiet())
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) == shutdownAt {
				close(now)
			}
			q := bgtasks.From(r.Context())
			for i := range 3 {
				q.Add("work", func(ctx context.Context) error {
					switch i {
					case 0:
						return nil
					case 1:
						return errors.New("flaky")
					default:
						select { // slow work that honours its context
						case <-time.After(time.Duration(rand.IntN(2000)) * time.Microsecond):
							return nil
						case <-ctx.Done():
							return ctx.Err()
						}
					}
				})
			}
		}))
		var wg sync.WaitGroup
		for range requests {
			wg.Go(func() { call(h, "POST", "/load") })
		}
		<-now
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(2000))*time.Microsecond)
		err := runner.Shutdown(ctx)
		cancel()
		wg.Wait()
		runner.Wait()
		s := runner.Stats()
		if s.Completed+s.Failed+s.Abandoned != s.Queued || s.Running != 0 {
			t.Fatalf("round %d: %+v: completed+failed+abandoned != queued (shutdown: %v)", round, s, err)
		}
		if s.Queued != 3*requests {
			t.Fatalf("round %d: queued %d, want %d", round, s.Queued, 3*requests)
		}
		t.Logf("round %d: %+v", round, s)
	}
}
