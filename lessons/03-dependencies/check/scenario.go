// Package check drives lesson 03-dependencies for the tutor: the scenario that `tutor run`
// and the page's Run button play against the lesson's app, and the check of
// the exercise, which the exercise's check_test.go calls.
package check

import (
	"context"
	"fmt"
	"net/http"

	dependencies "github.com/bgtasks/tutorial/lessons/03-dependencies"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// stock is what the scenario's shop starts with.
var stock = map[string]int{"book": 3, "mug": 20}

// App serves NewApp for a scenario session: its Runner reports to the
// timeline and logs to the session's log, its files go to the session's
// directory, and its mails take SendDelay, as a real mail server's would.
func App(s *scenario.Session) (http.Handler, error) {
	runner := s.Runner()
	return runner.Middleware(dependencies.NewApp(s.Dir, dependencies.NewShop(stock), dependencies.SimulatedSend)), nil
}

// Scenario places an order whose tasks come from the middleware, a helper
// and the handler; then one through the leaky audit middleware; then one
// the shop refuses.
func Scenario(ctx context.Context, s *scenario.Session) error {
	steps := []struct {
		note, path, body string
		status           int
	}{
		{"one queue: the audit middleware adds first, then the referral helper, then the handler, one task per event",
			"/orders?ref=newsletter", `{"email":"ada@example.com","item":"book","quantity":2}`, http.StatusCreated},
		{"the leaky audit middleware: its task writes to a file the middleware closed when the request ended",
			"/leaky/orders", `{"email":"grace@example.com","item":"mug","quantity":1}`, http.StatusCreated},
		{"an order the shop refuses: no events, so only the audit is queued",
			"/orders", `{"email":"alan@example.com","item":"book","quantity":5}`, http.StatusConflict},
	}
	for _, st := range steps {
		s.Note("%s", st.note)
		resp, err := s.Do(ctx, "POST", st.path, st.body)
		if err != nil {
			return err
		}
		if resp.Status != st.status {
			return fmt.Errorf("POST %s: got status %d, want %d", st.path, resp.Status, st.status)
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
