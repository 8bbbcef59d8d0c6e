package failures_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// lockedBuffer is a bytes.Buffer that tasks may log to at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A task's error, and a panic on the task's own goroutine, are logged and
// counted on the server; the client never hears of them, and the request's
// next task still runs.
func Example_failuresStayOnTheServer() {
	var logs lockedBuffer
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" || a.Key == "stack" {
				return slog.Attr{} // keep the example's output stable
			}
			return a
		},
	}))))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		// region tasks
		tasks := bgtasks.From(r.Context())
		tasks.Add("sync to CRM", func(ctx context.Context) error {
			return errors.New("crm: 503 Service Unavailable") // logged, counted as failed
		})
		tasks.Add("update stats", func(ctx context.Context) error {
			var perDay map[string]int
			perDay["today"]++ // a bug: panics, and the runner recovers it
			return nil
		})
		tasks.Add("send receipt", func(ctx context.Context) error {
			return nil // still runs
		})
		w.WriteHeader(http.StatusCreated) // the client never hears of the failures
		// endregion tasks
	})

	w := httptest.NewRecorder()
	runner.Middleware(mux).ServeHTTP(w, httptest.NewRequest("POST", "/orders/42", nil))
	runner.Wait()
	fmt.Println("client:", w.Code)
	fmt.Printf("%+v\n", runner.Stats())
	fmt.Print(logs.String())
	// Output:
	// client: 201
	// {Queued:3 Running:0 Completed:1 Failed:2 Abandoned:0}
	// level=ERROR msg="background task failed" task="sync to CRM" method=POST path=/orders/42 error="crm: 503 Service Unavailable"
	// level=ERROR msg="background task failed" task="update stats" method=POST path=/orders/42 error="panic: assignment to entry in nil map"
}
