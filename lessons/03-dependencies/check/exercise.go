package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A Newsletter is what the exercise builds: a use case, Subscribe, that
// returns events of type E, and an HTTP side that queues a task for each.
type Newsletter[E any] interface {
	Subscribe(ctx context.Context, email string) ([]E, error)
	Handler() http.Handler
}

// Exercise checks the exercise. newNewsletter(dir) must return a
// newsletter whose Subscribe works with any context, queues nothing and
// returns one event naming the address, and whose POST /subscribers queues a
// "send welcome" task that appends "welcome mail to EMAIL" to
// dir/outbox.txt.
//
// The error's first line is "step N/4: what is wrong"; its last line may be
// "hint: what to do".
func Exercise[N Newsletter[E], E any](newNewsletter func(dir string) N) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n := newNewsletter(dir)

	events, err, panicked := subscribeOutsideHTTP(n, "ada@example.com")
	if panicked != nil {
		return fmt.Errorf("step 1/4: Subscribe panicked when called outside an HTTP request, with context.Background(): "+
			"a use case that calls bgtasks.From cannot be used by a test, a command-line tool or a queue consumer\n"+
			"  the panic: %s\n"+
			"hint: remove bgtasks.From from Subscribe and return the event instead: return []Welcome{{Email: email}}, nil", firstLine(panicked))
	}
	if err != nil {
		return fmt.Errorf("step 2/4: Subscribe(ctx, \"ada@example.com\") returned an error: %v\n"+
			"hint: keep the starter's validation; only the task should move", err)
	}
	if len(events) != 1 || !strings.Contains(fmt.Sprintf("%+v", events[0]), "ada@example.com") {
		return fmt.Errorf("step 2/4: Subscribe(ctx, \"ada@example.com\") returned the events %+v; want one Welcome for ada@example.com\n"+
			"hint: the event says what must follow; its caller decides how: return []Welcome{{Email: email}}, nil", events)
	}
	if events, err, _ := subscribeOutsideHTTP(n, "ada.example.com"); err == nil || len(events) > 0 {
		return fmt.Errorf("step 2/4: Subscribe(ctx, \"ada.example.com\") returned %+v and no error; a malformed address must be refused\n"+
			"hint: keep the starter's validation at the top of Subscribe", events)
	}

	var (
		mu     sync.Mutex
		queued []string
	)
	runner := bgtasks.New(
		bgtasks.WithLogger(slog.New(slog.DiscardHandler)),
		bgtasks.WithObserver(func(e bgtasks.Event) {
			if e.Kind == bgtasks.Queued {
				mu.Lock()
				queued = append(queued, e.Task)
				mu.Unlock()
			}
		}))
	srv := httptest.NewServer(runner.Middleware(n.Handler()))
	defer func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = runner.Shutdown(ctx)
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(srv.URL+"/subscribers", "application/json", strings.NewReader(`{"email":"grace@example.com"}`))
	if err != nil {
		return fmt.Errorf("step 3/4: POST /subscribers got no response: %v", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("step 3/4: POST /subscribers answered %d %s, want 201\n"+
			"hint: keep the starter's handler; only add the loop that queues the events", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	runner.Wait()
	mu.Lock()
	got := slices.Clone(queued)
	mu.Unlock()
	if !slices.Equal(got, []string{"send welcome"}) {
		what := "no task: grace@example.com never gets her welcome mail"
		if len(got) > 0 {
			what = fmt.Sprintf("%q; want one task named \"send welcome\"", got)
		}
		return fmt.Errorf("step 3/4: POST /subscribers queued %s\n"+
			"hint: in handleSubscribe, after Subscribe, queue one task per event: "+
			`for _, e := range events { tasks.Add("send welcome", func(ctx context.Context) error { return n.sendWelcome(ctx, e.Email) }) }`, what)
	}

	b, err := os.ReadFile(filepath.Join(dir, "outbox.txt"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	switch outbox := string(b); {
	case strings.Contains(outbox, "ada@example.com"):
		return errors.New("step 4/4: Subscribe mailed ada@example.com itself, though its caller queued nothing: the use case should only report the event\n" +
			"hint: Subscribe returns the Welcome; sending is the caller's job, in a task queued by the handler")
	case outbox != "welcome mail to grace@example.com\n":
		return fmt.Errorf("step 4/4: after the task, outbox.txt holds %q; want \"welcome mail to grace@example.com\\n\"\n"+
			"hint: the task should call n.sendWelcome(ctx, e.Email) with the event's address, and return its error", outbox)
	}
	return nil
}

// subscribeOutsideHTTP calls the use case as a command-line tool would,
// turning a panic into a value.
func subscribeOutsideHTTP[E any](n Newsletter[E], email string) (events []E, err error, panicked any) {
	defer func() {
		if v := recover(); v != nil {
			panicked = v
		}
	}()
	events, err = n.Subscribe(context.Background(), email)
	return events, err, nil
}

func firstLine(v any) string {
	line, _, _ := strings.Cut(fmt.Sprint(v), "\n")
	return line
}
