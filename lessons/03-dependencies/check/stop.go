package check

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
)

// stopsAtShutdown proves that the task mails with the context it is
// handed, the one thing its context has that context.Background() and
// context.WithoutCancel lack: it ends when Shutdown's deadline passes. A
// runner of its own, in synchronous mode, shuts down with its deadline
// already past just as the task starts, on the task's goroutine, so the
// task then runs with its context ended, every time. The mail then fails,
// and the task must say so (step 5 looks): Shutdown has already counted it
// abandoned, so what it returns reaches only the runner's log, which is
// where it is read.
func (c *checker[E]) stopsAtShutdown() error {
	before := readOutbox(c.outbox)
	late := &lateReturns{}
	var runner *bgtasks.Runner
	runner = bgtasks.New(bgtasks.Synchronous(), bgtasks.WithLogger(slog.New(late)),
		bgtasks.WithObserver(func(e bgtasks.Event) {
			if e.Kind == bgtasks.Started {
				past, cancel := context.WithCancel(context.Background())
				cancel()
				_ = runner.Shutdown(past)
			}
		}))
	req := httptest.NewRequest(http.MethodPost, "/subscribers", strings.NewReader(`{"email":"margaret@example.com"}`))
	req.Header.Set("Content-Type", "application/json")
	runner.Middleware(c.n.Handler()).ServeHTTP(httptest.NewRecorder(), req)
	if mailed := strings.TrimPrefix(readOutbox(c.outbox), before); mailed != "" {
		return fmt.Errorf("step 4/5: the task \"send welcome\" mailed (outbox.txt gained %q) though its context had ended, as Shutdown ends it when its deadline passes: "+
			"it mailed with a context of its own, such as context.Background() or context.WithoutCancel(...), which nothing can stop\n"+
			"hint: the ctx a task is handed already outlives the response, and still ends at shutdown: pass that one on", mailed)
	}
	// Step 5 reports it, after its plainer case of a mail that fails: a
	// task that drops every error hears of that one first.
	c.quietAtShutdown = late.returned && late.err == nil
	return nil
}

// lateReturns is the slog handler of stopsAtShutdown's runner. It notes
// the error of a task that returned after Shutdown had counted it
// abandoned: the runner sends no event for it, and only logs it.
type lateReturns struct {
	returned bool // in synchronous mode, all on the check's goroutine
	err      any
}

func (l *lateReturns) Enabled(context.Context, slog.Level) bool { return true }

func (l *lateReturns) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "abandoned background task returned" {
		return nil
	}
	l.returned = true
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			l.err = a.Value.Any()
		}
		return true
	})
	return nil
}

func (l *lateReturns) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *lateReturns) WithGroup(string) slog.Handler      { return l }
