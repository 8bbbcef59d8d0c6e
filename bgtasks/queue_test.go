package bgtasks_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A middleware, a helper and the handler all reach the same queue, and its
// tasks run in the order they were added.
func TestOneQueuePerRequestInOrder(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	var mu sync.Mutex
	var ran []string
	add := func(ctx context.Context, name string) {
		bgtasks.From(ctx).Add(name, func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, name)
			return nil
		})
	}
	audit := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			add(r.Context(), "audit: before")
			next.ServeHTTP(w, r)
			add(r.Context(), "audit: after")
		})
	}
	helper := func(ctx context.Context) { add(ctx, "helper") }
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		add(r.Context(), "handler")
		helper(r.Context())
	})

	call(runner.Middleware(audit(handler)), "POST", "/orders")

	want := []string{"audit: before", "handler", "helper", "audit: after"}
	if !slices.Equal(ran, want) {
		t.Fatalf("tasks ran as %q, want %q", ran, want)
	}
}

// From on a context that never went through the middleware panics, and its
// message says how to fix it.
func TestFromWithoutMiddlewarePanicsHelpfully(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "Middleware") {
			t.Fatalf("panic message %q does not say to use the Middleware", msg)
		}
	}()
	bgtasks.From(context.Background())
	t.Fatal("From did not panic")
}

func TestAddNilPanics(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() == nil {
				t.Error("Add with a nil func did not panic")
			}
		}()
		bgtasks.From(r.Context()).Add("nothing", nil)
	}))
	call(h, "GET", "/")
}

// A second Middleware, from the same or another Runner, passes the request's
// queue through rather than starting a second one.
func TestNestedMiddlewareSharesTheQueue(t *testing.T) {
	var rec recorder
	outer := bgtasks.New(bgtasks.Synchronous(), bgtasks.WithObserver(rec.observe))
	inner := bgtasks.New(bgtasks.Synchronous())
	noop := func(context.Context) error { return nil }
	h := outer.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("outer", noop)
		inner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("inner", noop)
		})).ServeHTTP(w, r)
	}))
	call(h, "GET", "/")
	if s := inner.Stats(); s.Queued != 0 {
		t.Fatalf("the inner runner queued %d tasks, want 0", s.Queued)
	}
	var got []string
	for _, e := range rec.list() {
		if e.Kind == bgtasks.Completed {
			got = append(got, fmt.Sprintf("%s #%d.%d", e.Task, e.Request, e.Index))
		}
	}
	if want := []string{"outer #1.0", "inner #1.1"}; !slices.Equal(got, want) {
		t.Fatalf("completed %q, want %q", got, want)
	}
}

// A task may add tasks to its own request's queue; they run after it.
func TestTaskAddsFollowUp(t *testing.T) {
	runner := bgtasks.New()
	var ran []string
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := bgtasks.From(r.Context())
		q.Add("first", func(ctx context.Context) error {
			ran = append(ran, "first")
			bgtasks.From(ctx).Add("follow-up", func(context.Context) error {
				ran = append(ran, "follow-up")
				return nil
			})
			return nil
		})
		q.Add("second", func(context.Context) error {
			ran = append(ran, "second")
			return nil
		})
	}))
	call(h, "GET", "/")
	runner.Wait()
	if want := []string{"first", "second", "follow-up"}; !slices.Equal(ran, want) {
		t.Fatalf("ran %q, want %q", ran, want)
	}
}

// A goroutine started by the handler may add to the queue after the
// handler has returned: the task still runs.
func TestAddAfterTheRequestEnded(t *testing.T) {
	runner := bgtasks.New()
	var q bgtasks.Tasks
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q = bgtasks.From(r.Context())
	}))
	call(h, "GET", "/")
	done := make(chan struct{})
	q.Add("late", func(context.Context) error { close(done); return nil })
	<-done
	runner.Wait()
	if s := runner.Stats(); s.Completed != 1 {
		t.Fatalf("stats %+v, want 1 completed", s)
	}
}

func TestEmptyNameIsNumbered(t *testing.T) {
	var rec recorder
	runner := bgtasks.New(bgtasks.Synchronous(), bgtasks.WithObserver(rec.observe))
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("", func(context.Context) error { return nil })
	}))
	call(h, "GET", "/")
	if got := rec.list()[0].Task; got != "task 1" {
		t.Fatalf("empty name became %q, want %q", got, "task 1")
	}
}
