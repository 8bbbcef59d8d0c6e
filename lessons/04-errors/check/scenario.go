// Package check drives lesson 04-errors for the tutor: the scenario that `tutor run`
// and the page's Run button play against the lesson's app, and the check of
// the exercise, which the exercise's check_test.go calls.
package check

import (
	"context"
	"errors"
	"net/http"

	failures "github.com/bgtasks/tutorial/lessons/04-errors"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// App builds the lesson's HTTP handler, whose card processor and mail
// server take NetworkDelay, as real ones would.
func App(s *scenario.Session) (http.Handler, error) {
	return failures.NewApp(s.Runner(), s.Log, failures.NetworkDelay), nil
}

// Scenario places an order whose tasks fail, sends a bad id, then calls a
// handler that fails with an error status and one that panics.
func Scenario(ctx context.Context, s *scenario.Session) error {
	steps := []struct {
		note, path string
		closed     bool // the handler panics: no response
	}{
		{note: "an order: two of its four tasks fail; the client never knows, and the receipt still goes out",
			path: "/orders/42"},
		{note: "a bad id is refused before anything is queued", path: "/orders/abc"},
		{note: "the handler answers 502 after queueing a task: it returned normally, so the task runs",
			path: "/payments/7"},
		{note: "the handler panics after queueing a task: the task is dropped, and net/http closes the connection",
			path: "/refunds/9", closed: true},
	}
	for _, st := range steps {
		s.Note("%s", st.note)
		_, err := s.Do(ctx, "POST", st.path, "")
		switch {
		case st.closed && err == nil:
			return errors.New("POST " + st.path + " got a response from a handler that panics")
		case st.closed:
			s.Note("no response: the server closed the connection")
		case err != nil:
			return err
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
