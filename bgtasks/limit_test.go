package bgtasks_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// With a limit and the Block policy, no more than n tasks ever run at once,
// and every request's tasks still run.
func TestLimitBlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, requests = 3, 20
		runner := bgtasks.New(bgtasks.WithLimit(limit, bgtasks.Block))
		var mu sync.Mutex
		running, peak, done := 0, 0, 0
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("slow", func(context.Context) error {
				mu.Lock()
				running++
				peak = max(peak, running)
				mu.Unlock()
				time.Sleep(time.Minute)
				mu.Lock()
				running--
				done++
				mu.Unlock()
				return nil
			})
		}))
		var wg sync.WaitGroup
		for range requests {
			wg.Go(func() { call(h, "POST", "/burst") })
		}
		wg.Wait()
		runner.Wait()
		if peak != limit || done != requests {
			t.Fatalf("peak %d running (limit %d), %d of %d done", peak, limit, done, requests)
		}
	})
}

// Block is backpressure: while the limit is reached, the middleware does
// not return, so net/http has not finished the response either.
func TestLimitBlockHoldsTheMiddleware(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New(bgtasks.WithLimit(1, bgtasks.Block))
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("slow", func(context.Context) error {
				time.Sleep(time.Minute)
				return nil
			})
		}))
		call(h, "POST", "/a")
		start := time.Now()
		call(h, "POST", "/b")
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("second request's middleware returned after %v, want 1m", waited)
		}
		runner.Wait()
	})
}

// Under Block, an Add made once its request's tasks have ended has to start
// them again, so it waits for a free slot as the middleware does; a running
// task's Add to its own request does not.
func TestLimitBlockLateAddWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		runner := bgtasks.New(bgtasks.WithLimit(1, bgtasks.Block))
		release := make(chan struct{})
		var late bgtasks.Tasks
		noop := func(context.Context) error { return nil }
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/busy":
				bgtasks.From(r.Context()).Add("hold the slot", func(ctx context.Context) error {
					bgtasks.From(ctx).Add("follow-up", noop) // its own request: returns at once
					<-release
					return nil
				})
			case "/idle":
				late = bgtasks.From(r.Context()) // queues nothing now
			}
		}))
		call(h, "POST", "/busy")
		call(h, "POST", "/idle")
		added := make(chan struct{})
		go func() {
			late.Add("late", noop)
			close(added)
		}()
		synctest.Wait() // everyone is blocked: the busy task, and the late Add
		select {
		case <-added:
			t.Fatal("Add returned while the only slot was taken")
		default:
		}
		close(release)
		<-added
		runner.Wait()
		if s := runner.Stats(); s.Completed != 3 {
			t.Fatalf("stats %+v, want 3 completed", s)
		}
	})
}

// With the Drop policy, a request finding no free slot has its tasks
// abandoned at once and reported to the hook.
func TestLimitDrop(t *testing.T) {
	release := make(chan struct{})
	var dropped []error
	runner := bgtasks.New(quiet(), bgtasks.WithLimit(1, bgtasks.Drop),
		bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) { dropped = append(dropped, err) }))
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("slow", func(context.Context) error { <-release; return nil })
	}))
	call(h, "POST", "/a")
	call(h, "POST", "/b") // finds the only slot taken
	close(release)
	runner.Wait()
	if len(dropped) != 1 || !errors.Is(dropped[0], bgtasks.ErrAbandoned) {
		t.Fatalf("hook got %v, want one abandoned task", dropped)
	}
	if s := runner.Stats(); s.Completed != 1 || s.Abandoned != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestWithLimitRejectsZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("WithLimit(0) did not panic")
		}
	}()
	bgtasks.WithLimit(0, bgtasks.Block)
}
