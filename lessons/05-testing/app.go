// Package apptests is lesson 05-testing: how to test handlers whose work
// runs after the response. It tests the apps of the earlier lessons, and
// checks a test the learner writes by running it against working and broken
// copies of lesson 01's app.
package apptests

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/internal/scenario"
)

// The request the scenario sends, twice.
const (
	notifyPath = "/send-notification/ada@example.com"
	notifyBody = `{"message":"Your order has shipped"}`
)

// App serves the notification app of lesson 01 with the default,
// asynchronous Runner, as a production server would. It writes
// server/log.txt.
func App(s *scenario.Session) (http.Handler, error) {
	dir := filepath.Join(s.Dir, "server")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return NotificationApp(s.Runner(), dir), nil
}

// Scenario sends the same request the two ways a test can: in process with
// a Synchronous Runner, where the tasks have run by the time ServeHTTP
// returns, then over loopback to App, where the response comes first and
// the test must Wait.
func Scenario(ctx context.Context, s *scenario.Session) error {
	s.Note("1. in process, with a Synchronous runner, as FastAPI's TestClient does")
	dir := filepath.Join(s.Dir, "in-process")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	runner := bgtasks.New(bgtasks.Synchronous(), bgtasks.WithLogger(s.Log),
		bgtasks.WithObserver(inProcessObserver(s)))
	h := NotificationApp(runner, dir)
	name := "POST " + notifyPath
	s.Emit(scenario.Event{Kind: scenario.KindRequest, ID: "req-0", Name: name, Detail: notifyBody})
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "POST", notifyPath, strings.NewReader(notifyBody)))
	s.Emit(scenario.Event{Kind: scenario.KindResponse, ID: "req-0", Name: name, Took: time.Since(start),
		Detail: fmt.Sprintf("%d %s", rec.Code, strings.TrimSpace(rec.Body.String()))})
	if rec.Code != http.StatusAccepted {
		return fmt.Errorf("in process: got status %d, want %d", rec.Code, http.StatusAccepted)
	}
	n, err := countLines(filepath.Join(dir, "log.txt"))
	if err != nil || n != 2 {
		return fmt.Errorf("in process: log.txt has %d lines (%v) when ServeHTTP returns, want 2", n, err)
	}
	s.Note("ServeHTTP has returned and in-process/log.txt holds both lines: assert at once")

	s.Note("2. over loopback, with the default runner, as in production")
	resp, err := s.Do(ctx, "POST", notifyPath, notifyBody)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusAccepted {
		return fmt.Errorf("over loopback: got status %d, want %d", resp.Status, http.StatusAccepted)
	}
	// The mail takes 80ms after the response; should a slow machine let it
	// finish first, say so rather than claim otherwise.
	if n, _ := countLines(filepath.Join(s.Dir, "server", "log.txt")); n < 2 {
		s.Note("the response is back, the mail is not sent yet: asserting now would race the tasks")
	} else {
		s.Note("the response is back, and this time the tasks were done too: do not count on it")
	}
	if err := s.Wait(ctx); err != nil {
		return err
	}
	n, err = countLines(filepath.Join(s.Dir, "server", "log.txt"))
	if err != nil || n != 2 {
		return fmt.Errorf("over loopback: log.txt has %d lines (%v) after Wait, want 2", n, err)
	}
	s.Note("Wait has returned and server/log.txt holds both lines: assert now")
	return nil
}

// inProcessObserver puts the in-process runner's tasks on the timeline, as
// Session.Runner does for the app's, under IDs of their own ("task-0.N",
// the scenario's request 0) so that the two runners' tasks never pair up.
func inProcessObserver(s *scenario.Session) func(bgtasks.Event) {
	return func(e bgtasks.Event) {
		ev := scenario.Event{Kind: e.Kind.String(), ID: fmt.Sprintf("task-0.%d", e.Index),
			Name: e.Task, Took: e.Duration}
		if e.Err != nil {
			ev.Detail, _, _ = strings.Cut(e.Err.Error(), "\n")
		}
		s.Emit(ev)
	}
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	return strings.Count(string(b), "\n"), err
}
