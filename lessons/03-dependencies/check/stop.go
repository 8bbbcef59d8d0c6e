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
// task then runs with its context ended, every time.
func (c *checker[E]) stopsAtShutdown() error {
	before := readOutbox(c.outbox)
	var runner *bgtasks.Runner
	runner = bgtasks.New(bgtasks.Synchronous(), bgtasks.WithLogger(slog.New(slog.DiscardHandler)),
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
	return nil
}
