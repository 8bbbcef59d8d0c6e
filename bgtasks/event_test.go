package bgtasks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// An observer sees every step of every task, with times and durations.
func TestObserverSeesEveryStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec recorder
		runner := bgtasks.New(quiet(), bgtasks.WithObserver(rec.observe))
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := bgtasks.From(r.Context())
			q.Add("write log", func(context.Context) error { time.Sleep(50 * time.Millisecond); return nil })
			q.Add("notify", func(context.Context) error { return errors.New("smtp down") })
		}))
		call(h, "POST", "/send-notification/ann@example.com")
		runner.Wait()
		err := runner.Shutdown(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		call(h, "POST", "/late") // refused: abandoned

		var got []string
		for _, e := range rec.list() {
			got = append(got, fmt.Sprintf("%s %s #%d.%d %s %s %v", e.Kind, e.Task, e.Request, e.Index, e.Method, e.Path, e.Duration))
			if e.Time.IsZero() {
				t.Errorf("%s event has no time", e.Kind)
			}
		}
		want := []string{
			"queued write log #1.0 POST /send-notification/ann@example.com 0s",
			"queued notify #1.1 POST /send-notification/ann@example.com 0s",
			"started write log #1.0 POST /send-notification/ann@example.com 0s",
			"completed write log #1.0 POST /send-notification/ann@example.com 50ms",
			"started notify #1.1 POST /send-notification/ann@example.com 0s",
			"failed notify #1.1 POST /send-notification/ann@example.com 0s",
			"queued write log #2.0 POST /late 0s",
			"abandoned write log #2.0 POST /late 0s",
			"queued notify #2.1 POST /late 0s",
			"abandoned notify #2.1 POST /late 0s",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("events:\n%q\nwant:\n%q", got, want)
		}
		if e := rec.list()[5]; e.Err == nil || e.Err.Error() != "smtp down" {
			t.Fatalf("failed event's error: %v", e.Err)
		}
	})
}

func TestEventKindString(t *testing.T) {
	if got := bgtasks.Abandoned.String(); got != "abandoned" {
		t.Fatalf("Abandoned.String() = %q", got)
	}
	if got := bgtasks.EventKind(42).String(); got != "EventKind(42)" {
		t.Fatalf("EventKind(42).String() = %q", got)
	}
}
