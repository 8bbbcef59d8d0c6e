// Package check drives lesson 02-async for the tutor: the scenario that `tutor run`
// and the page's Run button play against the lesson's app, and the check of
// the exercise, which the exercise's check_test.go calls.
package check

import (
	"context"
	"net/http"

	"github.com/bgtasks/tutorial/internal/scenario"
	async "github.com/bgtasks/tutorial/lessons/02-async"
)

// App builds the lesson's HTTP handler, with a mail server on loopback that
// stores each mail in the session's outbox/ folder.
func App(s *scenario.Session) (http.Handler, error) {
	ms, err := async.StartMailServer(async.MailServerConfig{Dir: s.Dir, Latency: async.Latency, Log: s.Log})
	if err != nil {
		return nil, err
	}
	s.Cleanup(func() { ms.Close() })
	return async.NewApp(s.Runner(), async.Mailer{Addr: ms.Addr(), From: "welcome@example.com"}), nil
}

// Scenario registers one user, then three back to back, then sends two bad
// registrations.
func Scenario(ctx context.Context, s *scenario.Session) error {
	s.Note("one registration: the response does not wait for the mail")
	if _, err := s.Do(ctx, "POST", "/register", `{"email":"ada@example.com","name":"Ada"}`); err != nil {
		return err
	}
	if err := s.Wait(ctx); err != nil {
		return err
	}

	// One after the other on one connection: each response comes back at
	// once, so the three mails are in flight together.
	s.Note("three registrations back to back: their mails are sent side by side")
	for _, body := range []string{
		`{"email":"grace@example.com","name":"Grace"}`,
		`{"email":"alan@example.com","name":"Alan"}`,
		`{"email":"edsger@example.com","name":"Edsger"}`,
	} {
		if _, err := s.Do(ctx, "POST", "/register", body); err != nil {
			return err
		}
	}
	if err := s.Wait(ctx); err != nil {
		return err
	}

	s.Note("bad registrations are refused before anything is queued")
	for _, body := range []string{
		`{"email":"not an address","name":"Bob"}`,
		`{"email":"bob@example.com","name":"Bob","admin":true}`,
	} {
		if _, err := s.Do(ctx, "POST", "/register", body); err != nil {
			return err
		}
	}
	return nil
}
