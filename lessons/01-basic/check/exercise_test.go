package check

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/01-basic/exercise"
	"github.com/bgtasks/tutorial/lessons/01-basic/solution"
)

// The starter must fail its check with a message that says what to do, and
// the solution must pass it.
func TestExerciseBothWays(t *testing.T) {
	err := Exercise(exercise.NewApp)
	if err == nil {
		t.Fatal("the starter passes its check; it should fail until the tasks are queued")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "step 2/5: ") || !strings.Contains(msg, "queued no background task") ||
		!strings.Contains(msg, "\nhint: ") {
		t.Errorf("the starter fails with:\n%s\nwant step 2/5 about no task queued, with a hint", msg)
	}
	if err := Exercise(solution.NewApp); err != nil {
		t.Errorf("the solution fails its check:\n%v", err)
	}
}

// Each step of the check catches the mistake it is there for.
func TestCheckOrdersCatches(t *testing.T) {
	tests := []struct {
		name   string
		queue  func(r *http.Request, dir string) // called by a valid or invalid order
		status int
		step   string
	}{
		{"wrong status", func(*http.Request, string) {}, http.StatusOK, "step 1/5: "},
		{"wrong names", func(r *http.Request, dir string) {
			bgtasks.From(r.Context()).Add("pay", write(dir, "charged card of ada@example.com for The Go Programming Language"))
			bgtasks.From(r.Context()).Add("mail", write(dir, "receipt for The Go Programming Language sent to ada@example.com"))
		}, http.StatusAccepted, "step 2/5: "},
		{"receipt first", func(r *http.Request, dir string) {
			bgtasks.From(r.Context()).Add("send receipt", write(dir, "receipt for The Go Programming Language sent to ada@example.com"))
			bgtasks.From(r.Context()).Add("charge card", write(dir, "charged card of ada@example.com for The Go Programming Language"))
		}, http.StatusAccepted, "step 3/5: "},
		{"no work done", func(r *http.Request, dir string) {
			bgtasks.From(r.Context()).Add("charge card", func(context.Context) error { return nil })
			bgtasks.From(r.Context()).Add("send receipt", func(context.Context) error { return nil })
		}, http.StatusAccepted, "step 4/5: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Exercise(func(dir string) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tt.queue(r, dir)
					w.WriteHeader(tt.status)
				})
			})
			if err == nil || !strings.HasPrefix(err.Error(), tt.step) {
				t.Errorf("got %v, want an error starting %q", err, tt.step)
			}
		})
	}

	// Tasks queued before validation: the refused order still queues them.
	err := Exercise(func(dir string) http.Handler {
		app := solution.NewApp(dir)
		var served atomic.Int32
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1) == 2 { // the refused order, queued as if validated late
				bgtasks.From(r.Context()).Add("charge card", func(context.Context) error { return nil })
			}
			app.ServeHTTP(w, r)
		})
	})
	if err == nil || !strings.HasPrefix(err.Error(), "step 5/5: ") {
		t.Errorf("late validation: got %v, want step 5/5", err)
	}
}

func write(dir, line string) bgtasks.Func {
	return func(context.Context) error {
		f, err := os.OpenFile(filepath.Join(dir, "orders.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.WriteString(line + "\n")
		return err
	}
}
