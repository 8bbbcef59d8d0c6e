package apptests_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// flakySender fails its first failures calls, as a provider that is down
// for a while, and records when each call came.
type flakySender struct {
	start    time.Time
	failures int

	mu    sync.Mutex
	calls []time.Duration // since start
}

func (f *flakySender) send(ctx context.Context, email string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, time.Since(f.start))
	if len(f.calls) <= f.failures {
		return errors.New("503 Service Unavailable")
	}
	return nil
}

func (f *flakySender) Calls() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// TestRetryBacksOff checks a task that runs for seven minutes. Inside the
// synctest bubble the clock is fake: it jumps ahead whenever every goroutine
// of the bubble is blocked, so the test takes milliseconds.
func TestRetryBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Everything the task touches is made inside the bubble: the
		// runner, the handler, the sender. The request never leaves memory.
		sender := &flakySender{start: time.Now(), failures: 3}
		runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
		app := apptests.NewRetryingNotifier(runner, sender.send)

		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest("POST", "/send-notification/ada@example.com", nil))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("status %d, want 202", rec.Code)
		}

		// region clock
		// Wait until the task is blocked: it has tried once and sleeps.
		synctest.Wait()
		if got := sender.Calls(); len(got) != 1 {
			t.Fatalf("tries right after the response: %v, want one", got)
		}

		// Move the fake clock on by the first delay: the second try.
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := sender.Calls(); len(got) != 2 {
			t.Fatalf("tries after a minute: %v, want two", got)
		}

		runner.Wait() // the clock jumps to each timer in turn
		want := []time.Duration{0, time.Minute, 3 * time.Minute, 7 * time.Minute}
		if got := sender.Calls(); !slices.Equal(got, want) {
			t.Errorf("tries at %v, want %v", got, want)
		}
		// endregion clock
		if s := runner.Stats(); s.Completed != 1 {
			t.Errorf("stats %+v, want one completed task", s)
		}
	})
}

// TestRetryGivesUp checks that a sender that never recovers makes the task
// fail after the last try, 15 minutes in, and that the failure reaches the
// error hook rather than the client.
func TestRetryGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &flakySender{start: time.Now(), failures: 100}
		var (
			mu     sync.Mutex
			hooked []error
		)
		runner := bgtasks.New(
			bgtasks.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))),
			bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) {
				mu.Lock()
				defer mu.Unlock()
				hooked = append(hooked, err)
			}))
		app := apptests.NewRetryingNotifier(runner, sender.send)

		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest("POST", "/send-notification/ada@example.com", nil))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("status %d, want 202 even though the task will fail", rec.Code)
		}
		runner.Wait() // returns once the failure has reached the hook

		want := []time.Duration{0, time.Minute, 3 * time.Minute, 7 * time.Minute, 15 * time.Minute}
		if got := sender.Calls(); !slices.Equal(got, want) {
			t.Errorf("tries at %v, want %v", got, want)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(hooked) != 1 || hooked[0].Error() != `bgtasks: task "notify ada@example.com" (POST /send-notification/ada@example.com): gave up after 5 tries: 503 Service Unavailable` {
			t.Errorf("error hook saw %q, want one error after 5 tries", hooked)
		}
	})
}

// TestRetryStopsAtShutdown checks that a task waiting between tries ends
// when Shutdown's deadline passes, instead of keeping the process up for
// minutes.
func TestRetryStopsAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &flakySender{start: time.Now(), failures: 100}
		runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
		app := apptests.NewRetryingNotifier(runner, sender.send)
		app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/send-notification/ada@example.com", nil))
		synctest.Wait()

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := runner.Shutdown(ctx)
		if !errors.Is(err, bgtasks.ErrAbandoned) {
			t.Fatalf("Shutdown: %v, want an error wrapping ErrAbandoned", err)
		}
		synctest.Wait() // the task sees its context cancelled and returns
		if got := time.Since(sender.start); got != 10*time.Second {
			t.Errorf("shutdown took %s, want the 10s deadline", got)
		}
		if got := sender.Calls(); len(got) != 1 {
			t.Errorf("tries %v, want only the first", got)
		}
	})
}

func TestRetryingNotifierRejectsBadEmail(t *testing.T) {
	runner := bgtasks.New()
	app := apptests.NewRetryingNotifier(runner, func(context.Context, string) error {
		t.Error("a task ran for a bad address")
		return nil
	})
	for _, email := range []string{"nobody", "Ada <ada@example.com>", "ada@@example.com"} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest("POST", "/send-notification/"+url.PathEscape(email), nil))
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%q: status %d, %s, want 400 and a JSON error", email, rec.Code, rec.Body)
		}
	}
	runner.Wait()
	if s := runner.Stats(); s.Queued != 0 {
		t.Errorf("stats %+v, want nothing queued", s)
	}
}
