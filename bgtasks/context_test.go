package bgtasks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

type userKey struct{}

// A client that hangs up mid-request does not cancel the work it asked for,
// and the task still sees the request's values, including those that inner
// middleware added.
func TestClientDisconnectDoesNotCancelTask(t *testing.T) {
	runner := bgtasks.New()
	queued := make(chan struct{})
	type result struct {
		user string
		err  error
	}
	results := make(chan result, 1)
	withUser := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, "ann")))
		})
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("audit", func(ctx context.Context) error {
			user, _ := ctx.Value(userKey{}).(string)
			results <- result{user, ctx.Err()}
			return nil
		})
		close(queued)
		<-r.Context().Done() // wait for the client to hang up
	})
	srv := httptest.NewServer(runner.Middleware(withUser(handler)))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-queued
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the client's request was not cancelled")
	}
	got := <-results
	if got.err != nil {
		t.Fatalf("the task's context was cancelled with the client's: %v", got.err)
	}
	if got.user != "ann" {
		t.Fatalf("the task saw user %q, want the request's value %q", got.user, "ann")
	}
	runner.Wait()
}

// mapContext is a context of an uncomparable type: comparing two of them
// panics, so the runner must never do it.
type mapContext struct {
	context.Context
	tags map[string]string
}

func TestTasksAcceptUncomparableContexts(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	ran := 0
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 2 {
			ctx := mapContext{r.Context(), map[string]string{"tenant": "acme"}}
			bgtasks.From(ctx).Add("tagged", func(context.Context) error { ran++; return nil })
		}
	}))
	call(h, "POST", "/")
	if ran != 2 {
		t.Fatalf("%d of 2 tasks ran", ran)
	}
}
