// Package check drives lesson 05-testing for the tutor: the scenario that `tutor run`
// and the page's Run button play against the lesson's app, and the check of
// the exercise, which the exercise's check_test.go calls.
package check

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/internal/scenario"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
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
	return apptests.NotificationApp(s.Runner(), dir), nil
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
	h := apptests.NotificationApp(s.Runner(bgtasks.Synchronous()), dir)
	rec, err := s.Call(ctx, h, "POST", notifyPath, notifyBody)
	if err != nil {
		return err
	}
	if rec.Status != http.StatusAccepted {
		return fmt.Errorf("in process: got status %d, want %d", rec.Status, http.StatusAccepted)
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
	s.Note("the response is back, the tasks may still be running: asserting now would race them")
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

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	return strings.Count(string(b), "\n"), err
}
