package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	apptests "github.com/bgtasks/tutorial/lessons/05-testing"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// Copies of NotificationApp that the exercise's test is run against: a
// slower one, which a good test passes, and broken ones, which it fails.
// The broken app that never writes log.txt is made in Exercise.
var (
	// slowMail is the working app with a mail server that takes longer:
	// a test that reads log.txt before the tasks have ended fails here.
	slowMail apptests.NewApp = func(r *bgtasks.Runner, dir string) http.Handler {
		return r.Middleware(basic.NewApp(dir, func(ctx context.Context, to, message string) error {
			timer := time.NewTimer(300 * time.Millisecond)
			defer timer.Stop()
			select {
			case <-timer.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
	}

	// otherAddress notifies someone.else@example.com, whatever the path says.
	otherAddress apptests.NewApp = func(r *bgtasks.Runner, dir string) http.Handler {
		next := basic.NewApp(dir, nil)
		return r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if prefix := "/send-notification/"; strings.HasPrefix(req.URL.Path, prefix) {
				req = req.Clone(req.Context())
				req.URL.Path, req.URL.RawPath = prefix+wrongAddress, ""
			}
			next.ServeHTTP(w, req)
		}))
	}

	// mailFails has a mail server that refuses every mail: the "send email"
	// task fails (the runner logs it), so "email sent to ..." is never written.
	mailFails apptests.NewApp = func(r *bgtasks.Runner, dir string) http.Handler {
		return r.Middleware(basic.NewApp(dir, func(ctx context.Context, to, message string) error {
			return errors.New("550 mailbox unavailable")
		}))
	}
)

const wrongAddress = "someone.else@example.com"

// testTimeout bounds one run of the learner's test. A variable, so that the
// package's own tests can shorten it.
var testTimeout = 10 * time.Second

// Exercise checks the exercise: test, a test of the notification
// app, must pass against the working app of lesson 01, also when its mail
// server is slow, and must fail against three broken copies of it.
//
// The error's first line is "step N/5: what is wrong"; its last line may be
// "hint: what to do".
func Exercise(test func(t apptests.T, newApp apptests.NewApp)) error {
	// The broken app that "never writes log.txt" writes it here instead.
	elsewhere, err := os.MkdirTemp("", "bgtasks-elsewhere-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(elsewhere)
	noLog := func(r *bgtasks.Runner, dir string) http.Handler {
		return r.Middleware(basic.NewApp(elsewhere, nil))
	}

	passes := []struct {
		app  apptests.NewApp
		what string
		hint string
	}{
		{apptests.NotificationApp, "the working app of lesson 01",
			`send POST /send-notification/ada@example.com with a JSON body such as {"message": "Your order has shipped"}, expect 202, ` +
				"wait for the tasks, then read log.txt in the directory you gave newApp"},
		{slowMail, "the working app of lesson 01 once its mail server takes 300ms to answer",
			"your test looked before the tasks had ended. Do not sleep: call the handler in process with a Synchronous runner, " +
				"or call runner.Wait() after a request to a real server"},
	}
	for i, p := range passes {
		failed, log, err := record(testTimeout, func(t apptests.T) { test(t, p.app) })
		step := fmt.Sprintf("step %d/5", i+1)
		switch {
		case err != nil:
			return fmt.Errorf("%s: your test ran against %s and %v\n"+
				"hint: does it wait for something that never happens, such as a server it never closes or a request it never sends?", step, p.what, err)
		case failed:
			return fmt.Errorf("%s: your test failed against %s, where it must pass; it reported:\n%s\nhint: %s",
				step, p.what, indent(log), p.hint)
		}
	}

	fails := []struct {
		app  apptests.NewApp
		what string
		hint string
	}{
		{noLog, "a broken app that answers 202 but never writes log.txt",
			"once the tasks have run, read log.txt in the directory you gave newApp, and fail if it is not there"},
		{otherAddress, "a broken app that writes " + wrongAddress + " into log.txt instead of the address you sent",
			"compare what log.txt holds with the exact lines you expect, not just that it exists"},
		{mailFails, `a broken app whose mail is never sent (its "send email" task fails, so the line "email sent to ..." is missing)`,
			`once both tasks have run, log.txt holds two lines, "notification for ADDRESS: MESSAGE" then "email sent to ADDRESS": check both`},
	}
	for i, f := range fails {
		failed, _, err := record(testTimeout, func(t apptests.T) { test(t, f.app) })
		step := fmt.Sprintf("step %d/5", len(passes)+i+1)
		switch {
		case err != nil:
			return fmt.Errorf("%s: your test ran against %s and %v\n"+
				"hint: wait for the tasks with runner.Wait() or a Synchronous runner, never for a line that may not come", step, f.what, err)
		case !failed:
			return fmt.Errorf("%s: your test passed against %s: it must fail there\nhint: %s", step, f.what, f.hint)
		}
	}
	return nil
}

func indent(s string) string {
	if s == "" {
		s = "(nothing: it failed without a message; use t.Errorf or t.Fatalf to say why)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
