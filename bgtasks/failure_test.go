package bgtasks_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A task that returns an error and one that panics are logged and passed to
// the hook; the request's later tasks still run; the client gets its 201;
// the server keeps serving.
func TestFailuresAreLoggedAndLaterTasksRun(t *testing.T) {
	var logs logBuffer
	var mu sync.Mutex
	var hooked []*bgtasks.TaskError
	var ran []string
	runner := bgtasks.New(
		bgtasks.WithLogger(logs.logger()),
		bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) {
			mu.Lock()
			defer mu.Unlock()
			hooked = append(hooked, err)
		}),
	)
	errCRM := errors.New("crm unavailable")
	srv := serve(t, runner, func(w http.ResponseWriter, r *http.Request) {
		q := bgtasks.From(r.Context())
		q.Add("sync crm", func(context.Context) error { return errCRM })
		q.Add("update stats", func(context.Context) error { panic("stats: nil map") })
		q.Add("send receipt", func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, "send receipt")
			return nil
		})
		w.WriteHeader(http.StatusCreated)
	})

	if status, _ := get(t, srv.Client(), srv.URL+"/orders/7"); status != http.StatusCreated {
		t.Fatalf("status %d, want 201", status)
	}
	runner.Wait()
	if status, _ := get(t, srv.Client(), srv.URL+"/orders/8"); status != http.StatusCreated {
		t.Fatalf("after failures, status %d, want 201", status)
	}
	runner.Wait()

	if len(ran) != 2 {
		t.Fatalf("the task after the failures ran %d times for 2 requests", len(ran))
	}
	if s := runner.Stats(); s.Failed != 4 || s.Completed != 2 {
		t.Fatalf("stats %+v, want 4 failed, 2 completed", s)
	}

	var failed []map[string]any
	for _, rec := range logs.records(t) {
		if rec["msg"] == "background task failed" {
			failed = append(failed, rec)
		}
	}
	if len(failed) != 4 {
		t.Fatalf("%d failure log records, want 4", len(failed))
	}
	crm, stats := failed[0], failed[1]
	for key, want := range map[string]string{"task": "sync crm", "method": "GET", "path": "/orders/7", "error": "crm unavailable", "level": "ERROR"} {
		if crm[key] != want {
			t.Errorf("log %q = %v, want %q", key, crm[key], want)
		}
	}
	if _, ok := crm["duration"]; !ok {
		t.Error("failure log has no duration")
	}
	if stack, _ := stats["stack"].(string); !strings.Contains(stack, "failure_test.go") {
		t.Errorf("panic log's stack does not point at the panicking task:\n%s", stack)
	}

	if len(hooked) != 4 || !errors.Is(hooked[0], errCRM) {
		t.Fatalf("hook got %v", hooked)
	}
	var p *bgtasks.PanicError
	if !errors.As(hooked[1], &p) || p.Value != "stats: nil map" {
		t.Fatalf("hook's second error %v is not the panic", hooked[1])
	}
}

// If the handler panics, its queued tasks are abandoned, each with a log
// line naming it, and the panic reaches net/http.
func TestHandlerPanicAbandonsItsTasks(t *testing.T) {
	var logs logBuffer
	var hooked []string
	runner := bgtasks.New(bgtasks.WithLogger(logs.logger()),
		bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) {
			if errors.Is(err, bgtasks.ErrAbandoned) {
				hooked = append(hooked, err.Task)
			}
		}))
	ran := false
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := bgtasks.From(r.Context())
		q.Add("charge card", func(context.Context) error { ran = true; return nil })
		q.Add("send receipt", func(context.Context) error { ran = true; return nil })
		panic("database down")
	}))
	func() {
		defer func() {
			if v := recover(); v != "database down" {
				t.Fatalf("recovered %v, want the handler's panic", v)
			}
		}()
		call(h, "POST", "/orders")
	}()
	runner.Wait()
	if ran {
		t.Fatal("a task of a panicked handler ran")
	}
	var names []string
	for _, rec := range logs.records(t) {
		if rec["msg"] == "background task abandoned" {
			names = append(names, rec["task"].(string))
		}
	}
	want := []string{"charge card", "send receipt"}
	if !slices.Equal(names, want) || !slices.Equal(hooked, want) {
		t.Fatalf("abandoned and logged %q, hooked %q; want %q", names, hooked, want)
	}
	if s := runner.Stats(); s.Abandoned != 2 || s.Queued != 2 {
		t.Fatalf("stats %+v", s)
	}
}

// A handler that writes an error status has returned normally: its tasks
// run. The middleware does not read status codes.
func TestErrorStatusStillRunsTasks(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	ran := false
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("audit failure", func(context.Context) error { ran = true; return nil })
		http.Error(w, "out of stock", http.StatusConflict)
	}))
	if w := call(h, "POST", "/orders"); w.Code != http.StatusConflict {
		t.Fatalf("status %d", w.Code)
	}
	if !ran {
		t.Fatal("the task of a handler that wrote 409 did not run")
	}
}
