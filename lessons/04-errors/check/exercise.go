package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	failures "github.com/bgtasks/tutorial/lessons/04-errors"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A HookFunc is the exercise's DeadLetterHook: it returns an error hook, for
// bgtasks.WithErrorHook, that appends each failed or abandoned task to the
// file at path as a line of JSON.
type HookFunc func(path string) func(ctx context.Context, err *bgtasks.TaskError)

// deadLetters is what the check's requests must leave in the file, one
// "task|method|path|error" per entry, sorted.
var deadLetters = []string{
	"notify customer|POST|/refunds/5|bgtasks: task abandoned: handler panicked",
	"sync to CRM|POST|/orders/1|crm: order 1: 503 Service Unavailable",
	"sync to CRM|POST|/orders/2|crm: order 2: 503 Service Unavailable",
	"sync to CRM|POST|/orders/3|crm: order 3: 503 Service Unavailable",
	"update stats|POST|/orders/1|panic: assignment to entry in nil map",
	"update stats|POST|/orders/2|panic: assignment to entry in nil map",
	"update stats|POST|/orders/3|panic: assignment to entry in nil map",
}

// Exercise checks the exercise: it serves the lesson's app on
// loopback with the hook that deadLetterHook returns, sends three orders at
// once, a payment and a refund, waits for every task, and reads
// deadletter.jsonl.
//
// The error's first line is "step N/3: what is wrong"; its last line may be
// "hint: what to do".
func Exercise(deadLetterHook HookFunc) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "deadletter.jsonl")

	quiet := slog.New(slog.DiscardHandler)
	// region hook
	runner := bgtasks.New(
		bgtasks.WithErrorHook(deadLetterHook(path)),
		bgtasks.WithLogger(quiet),
	)
	// endregion hook
	srv := httptest.NewUnstartedServer(failures.NewApp(runner, quiet, 0))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	// Three orders at once, so that their failures reach the hook together.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = post(client, fmt.Sprintf("%s/orders/%d", srv.URL, i+1), http.StatusCreated) })
	}
	wg.Wait()
	errs = append(errs, post(client, srv.URL+"/payments/4", http.StatusBadGateway))
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The refund's handler panics: no response, and its task is abandoned.
	if err := post(client, srv.URL+"/refunds/5", 0); err == nil {
		return errors.New("POST /refunds/5 got a response from a handler that panics")
	}
	done := make(chan struct{})
	go func() {
		runner.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		return errors.New("step 1/3: the tasks did not end within 10s: is the hook stuck?\nhint: a hook must return; do not hold a lock while waiting for something else")
	}

	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("step 1/3: after %d tasks failed or were abandoned, there is no deadletter.jsonl\n"+
			"hint: in the hook, open path with os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644) and write each entry to it", len(deadLetters))
	}
	if err != nil {
		return fmt.Errorf("step 1/3: reading deadletter.jsonl: %v", err)
	}

	var got []string
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		entry, ok := parseDeadLetter(line)
		if !ok {
			return fmt.Errorf("step 2/3: line %d of deadletter.jsonl is %q; want one JSON object per line, "+
				`such as {"task":"sync to CRM","method":"POST","path":"/orders/1","error":"crm: ..."}`+"\n"+
				"hint: json.Marshal a struct whose fields have tags such as `json:\"task\"`, with te.Err.Error() as the error, then write it followed by \"\\n\"", i+1, line)
		}
		got = append(got, entry)
	}

	slices.Sort(got)
	if !slices.Equal(got, deadLetters) {
		entries := "entries"
		if len(got) == 1 {
			entries = "entry"
		}
		msg := fmt.Sprintf("step 3/3: deadletter.jsonl has %d %s, want %d (one per failed or abandoned task)", len(got), entries, len(deadLetters))
		if missing := minus(deadLetters, got); len(missing) > 0 {
			msg += "\nmissing: " + strings.Join(missing, "; ")
		}
		if extra := minus(got, deadLetters); len(extra) > 0 {
			msg += "\nnot expected: " + strings.Join(extra, "; ")
		}
		if len(got) < len(deadLetters) {
			msg += "\nhint: append to the file rather than replace it (os.O_APPEND; os.WriteFile truncates), " +
				"and guard the writes with a sync.Mutex: hooks of different requests run at the same time"
		}
		return errors.New(msg)
	}
	return nil
}

// parseDeadLetter reads one entry as "task|method|path|error".
func parseDeadLetter(line string) (string, bool) {
	var e map[string]any
	if err := json.Unmarshal([]byte(line), &e); err != nil || len(e) != 4 {
		return "", false
	}
	var fields []string
	for _, k := range []string{"task", "method", "path", "error"} {
		s, ok := e[k].(string)
		if !ok || s == "" {
			return "", false
		}
		fields = append(fields, s)
	}
	return strings.Join(fields, "|"), true
}

// minus returns the items of a that b lacks, counting repeats.
func minus(a, b []string) []string {
	rest := slices.Clone(b)
	var out []string
	for _, s := range a {
		if i := slices.Index(rest, s); i >= 0 {
			rest = slices.Delete(rest, i, i+1)
		} else {
			out = append(out, s)
		}
	}
	return out
}

// post sends an empty POST and checks its status; want 0 means any.
func post(client *http.Client, url string, want int) error {
	resp, err := client.Post(url, "application/json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if want != 0 && resp.StatusCode != want {
		return fmt.Errorf("POST %s: status %d, want %d", url, resp.StatusCode, want)
	}
	return nil
}
