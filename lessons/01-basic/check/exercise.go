package check

import (
	"context"
	"encoding/json"
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

// The exercise's order: what the check sends and what the shop must write.
const (
	orderBody = `{"email":"ada@example.com","item":"The Go Programming Language"}`
	charged   = "charged card of ada@example.com for The Go Programming Language"
	receipt   = "receipt for The Go Programming Language sent to ada@example.com"
)

// Exercise checks the exercise: newApp(dir) must serve POST /orders,
// answer 202 at once, then run two tasks in this order: "charge card", which
// appends a line to dir/orders.txt, and "send receipt", which appends
// another. A bad order must be refused with 400 and queue nothing.
//
// The error's first line is "step N/5: what is wrong"; its last line may be
// "hint: what to do".
func Exercise(newApp func(dir string) http.Handler) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var (
		mu      sync.Mutex
		queued  []string // task names, in the order added
		started []string // task names, in the order run
	)
	runner := bgtasks.New(
		bgtasks.WithLogger(slog.New(slog.DiscardHandler)),
		bgtasks.WithObserver(func(e bgtasks.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch e.Kind {
			case bgtasks.Queued:
				queued = append(queued, e.Task)
			case bgtasks.Started:
				started = append(started, e.Task)
			}
		}))
	srv := httptest.NewServer(runner.Middleware(newApp(dir)))
	defer func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = runner.Shutdown(ctx)
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	names := func(s []string) []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(s)
	}

	status, body, err := postJSON(client, srv.URL+"/orders", orderBody)
	if err != nil {
		return fmt.Errorf("step 1/5: POST /orders got no response: %v\n"+
			"hint: the handler must answer right away; the work goes in tasks, which run after the response", err)
	}
	if status != http.StatusAccepted {
		return fmt.Errorf("step 1/5: POST /orders answered %d %s, want 202 Accepted\n"+
			"hint: keep the starter's validation and its 202 reply; only the tasks are missing", status, body)
	}
	runner.Wait()

	got := names(queued)
	want := []string{"charge card", "send receipt"}
	switch {
	case len(got) == 0:
		return errors.New("step 2/5: POST /orders answered 202 but queued no background task: the card was never charged\n" +
			`hint: in placeOrder, before the reply, add a task: bgtasks.From(r.Context()).Add("charge card", func(ctx context.Context) error { return s.chargeCard(ctx, o) })`)
	case !sameSet(got, want):
		return fmt.Errorf("step 2/5: POST /orders queued %s; want two tasks named %q and %q\n"+
			"hint: the name is Add's first argument; it appears in logs, so name each task after what it does", quoteAll(got), want[0], want[1])
	}

	if got := names(started); !slices.Equal(got, want) {
		return fmt.Errorf("step 3/5: the tasks ran in the order %s: the receipt went out before the card was charged\n"+
			`hint: a request's tasks run one at a time, in the order added: add "charge card" first`, quoteAll(got))
	}

	lines, err := readLines(filepath.Join(dir, "orders.txt"))
	if err != nil || !slices.Equal(lines, []string{charged, receipt}) {
		failed := runner.Stats().Failed
		return fmt.Errorf("step 4/5: after the tasks, orders.txt holds %s (%d task(s) failed); want the lines %q then %q\n"+
			"hint: each task's function should call the shop's method, s.chargeCard(ctx, o) or s.sendReceipt(ctx, o), and return its error",
			describeLines(lines, err), failed, charged, receipt)
	}

	before := len(names(queued))
	status, body, err = postJSON(client, srv.URL+"/orders", `{"email":"ada.example.com","item":"The Go Programming Language"}`)
	if err != nil {
		return fmt.Errorf("step 5/5: POST /orders with a bad email got no response: %v", err)
	}
	runner.Wait()
	if status != http.StatusBadRequest {
		return fmt.Errorf("step 5/5: POST /orders with the email \"ada.example.com\" answered %d %s, want 400\n"+
			"hint: keep the starter's validation before anything else", status, body)
	}
	if n := len(names(queued)) - before; n > 0 {
		return fmt.Errorf("step 5/5: POST /orders with a bad email answered 400 but still queued %d task(s): a card would be charged for a refused order\n"+
			"hint: queue the tasks only after the order has been validated, just before the 202 reply", n)
	}
	return nil
}

// postJSON sends body and returns the status and up to 1 KiB of the reply.
func postJSON(client *http.Client, url, body string) (int, string, error) {
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return 0, "", err
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), nil
}

func describeLines(lines []string, err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "nothing (it does not exist)"
	case err != nil:
		return err.Error()
	}
	return quoteAll(lines)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// quoteAll formats names as ["a", "b"].
func quoteAll(s []string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}
