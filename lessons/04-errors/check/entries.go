package check

import (
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

	"github.com/bgtasks/tutorial/bgtasks"
	failures "github.com/bgtasks/tutorial/lessons/04-errors"
)

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

// serveAndFail serves the lesson's app with the hook deadLetterHook returns
// for path, makes its tasks fail and be abandoned, and waits until every one
// has ended.
func serveAndFail(deadLetterHook HookFunc, path string) error {
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
	// The abandoned refund's entry, the longest, comes last, whatever the
	// scheduler does: a hook that writes each entry over the start of the
	// file then always leaves that one entry, and always fails step 5 alike.
	if err := waitForTasks(runner); err != nil {
		return err
	}
	// The refund's handler panics: no response, and its task is abandoned.
	if err := post(client, srv.URL+"/refunds/5", 0); err == nil {
		return errors.New("POST /refunds/5 got a response from a handler that panics")
	}
	return waitForTasks(runner)
}

// waitForTasks waits until every task of runner has ended, and its failure
// has been handed to the hook.
func waitForTasks(runner *bgtasks.Runner) error {
	done := make(chan struct{})
	go func() {
		runner.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("step 3/7: the tasks did not end within 10s: is the hook stuck?\n" +
			"hint: a hook must return; do not hold a lock while waiting for something else")
	}
}

// readDeadLetters reads a dead-letter file, each entry as
// "task|method|path|error", sorted; what says what should have filled it.
func readDeadLetters(path, what string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("step 3/7: %s, there is no %s\n"+
			"hint: the hook is called once per failure; each call adds a line to the file at path, which it creates the first time", what, filepath.Base(path))
	}
	if err != nil {
		return nil, fmt.Errorf("step 3/7: %s, %s cannot be read: %v", what, filepath.Base(path), err)
	}
	// The check may run as root, who reads any file: the mode says whether
	// anyone else could.
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o600 != 0o600 {
		return nil, fmt.Errorf("step 3/7: %s, %s is there, but with mode %v: its owner may not both read it and write to it, so the dead letters cannot be read back or added to without changing it first\n"+
			"hint: the last argument of os.OpenFile is the mode a file it creates is given: let its owner read and write it, as 0o600 or 0o644 does", what, filepath.Base(path), info.Mode().Perm())
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("step 3/7: %s, %s is there but empty: the hook created it, but no line reached it\n"+
			"hint: a file opened to append is read-only unless it is opened to write as well, and a bufio.Writer keeps what it is given until it is flushed; "+
			"look at what Write returns, which says why a line was not written", what, filepath.Base(path))
	}
	var got []string
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			return nil, fmt.Errorf("step 4/7: %s, line %d of the file is empty; want one JSON object per line, and no empty lines\n"+
				"hint: end each entry with its line break, written after it, in the same Write, and put nothing before it", what, i+1)
		}
		entry, ok := parseDeadLetter(line)
		if !ok && severalObjects(line) {
			return nil, fmt.Errorf("step 4/7: %s, line %d of the file holds one JSON object after another, with no line break between them; want one object per line\n"+
				"hint: end each entry with a line break, written in the same Write as the entry", what, i+1)
		}
		if !ok {
			return nil, fmt.Errorf("step 4/7: %s, line %d of the file is %q; want one JSON object per line, "+
				`such as {"task":"sync to CRM","method":"POST","path":"/orders/1","error":"crm: ..."}`+"\n"+
				"hint: let encoding/json write the object, from a struct whose field tags name the keys: it escapes what must be escaped, "+
				"such as the quotes and line breaks an error's text may hold", what, i+1, line)
		}
		got = append(got, entry)
	}
	slices.Sort(got)
	return got, nil
}

// compare reports how the entries got differ from want; what says what
// should have left them.
func compare(got, want []string, what string) error {
	if slices.Equal(got, want) {
		return nil
	}
	var msg string
	switch entries := "entries"; {
	case len(got) != len(want):
		if len(got) == 1 {
			entries = "entry"
		}
		msg = fmt.Sprintf("step 5/7: %s, the file has %d %s, want %d, one per failure", what, len(got), entries, len(want))
	default:
		msg = fmt.Sprintf("step 5/7: %s, the file's entries are not those failures", what)
	}
	if missing := minus(want, got); len(missing) > 0 {
		msg += "\nmissing: " + strings.Join(missing, "; ")
	}
	if extra := minus(got, want); len(extra) > 0 {
		msg += "\nnot expected: " + strings.Join(extra, "; ")
	}
	if len(got) < len(want) {
		return errors.New(msg + "\nhint: add to the file rather than replace it, and write every failure the hook is told of, abandoned tasks too")
	}
	return errors.New(msg + "\nhint: each entry holds the task's name, its request's method and path, and the task's own error, which the TaskError wraps")
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

// severalObjects reports whether line is a JSON object followed by more:
// entries written without the line break that ends each.
func severalObjects(line string) bool {
	d := json.NewDecoder(strings.NewReader(line))
	var first map[string]any
	return d.Decode(&first) == nil && d.More()
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
