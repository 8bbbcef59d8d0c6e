// Package check drives lesson 01-basic for the tutor: the scenario that `tutor run`
// and the page's Run button play against the lesson's app, and the check of
// the exercise, which the exercise's check_test.go calls.
package check

import (
	"context"
	"fmt"
	"net/http"

	basic "github.com/bgtasks/tutorial/lessons/01-basic"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// App serves NewApp for a scenario session: its Runner reports to the
// timeline and log.txt goes to the session's directory.
func App(s *scenario.Session) (http.Handler, error) {
	runner := s.Runner()
	return runner.Middleware(basic.NewApp(s.Dir, nil)), nil
}

// Scenario sends a notification, waits for its tasks, then sends a request
// with a malformed address.
func Scenario(ctx context.Context, s *scenario.Session) error {
	s.Note("a notification: the response does not wait for either task")
	resp, err := s.Do(ctx, "POST", "/send-notification/ada@example.com", `{"message":"Your order has shipped"}`)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusAccepted {
		return fmt.Errorf("POST /send-notification: got status %d, want %d", resp.Status, http.StatusAccepted)
	}
	s.Note("the client has its 202; the mail takes %s more", basic.SendDelay)
	if err := s.Wait(ctx); err != nil {
		return err
	}

	s.Note("a malformed address: refused at once, nothing queued")
	resp, err = s.Do(ctx, "POST", "/send-notification/ada.example.com", `{"message":"Your order has shipped"}`)
	if err != nil {
		return err
	}
	if resp.Status != http.StatusBadRequest {
		return fmt.Errorf("POST /send-notification with a bad address: got status %d, want %d", resp.Status, http.StatusBadRequest)
	}
	return nil
}
