package failures_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/bgtasks/tutorial/bgtasks"
	failures "github.com/bgtasks/tutorial/lessons/04-errors"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// logBuffer collects JSON log lines from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the records logged so far whose msg is msg.
func (b *logBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// app is the lesson's app on loopback, with its log and its tasks' events.
type app struct {
	url    string
	runner *bgtasks.Runner
	logs   *logBuffer
	netLog *logBuffer // what net/http itself logs

	mu     sync.Mutex
	events []string // "started charge card", in order
}

func startApp(t *testing.T) *app {
	t.Helper()
	a := &app{logs: &logBuffer{}, netLog: &logBuffer{}}
	logger := slog.New(slog.NewJSONHandler(a.logs, nil))
	a.runner = bgtasks.New(bgtasks.WithLogger(logger), bgtasks.WithObserver(func(e bgtasks.Event) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.events = append(a.events, e.Kind.String()+" "+e.Task)
	}))
	srv := httptest.NewUnstartedServer(failures.NewApp(a.runner, logger, 0))
	srv.Config.ErrorLog = log.New(a.netLog, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

func (a *app) post(path string) (int, string, error) {
	resp, err := http.Post(a.url+path, "application/json", nil)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

func (a *app) mustPost(t *testing.T, path string, status int, body string) {
	t.Helper()
	gotStatus, gotBody, err := a.post(path)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	if gotStatus != status || gotBody != body {
		t.Fatalf("POST %s: got %d %s, want %d %s", path, gotStatus, gotBody, status, body)
	}
}

func (a *app) eventList() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.events)
}

// settledEvents waits until no task is queued or running, then returns the
// events: Wait returns only once the observer has heard how each task ended.
func (a *app) settledEvents() []string {
	a.runner.Wait()
	return a.eventList()
}

func TestTaskFailuresStayOnTheServer(t *testing.T) {
	a := startApp(t)
	a.mustPost(t, "/orders/42", http.StatusCreated, `{"order":42,"status":"created"}`)
	a.runner.Wait()

	// Every task ran, in order, whatever the one before it did.
	want := []string{
		"queued charge card", "queued sync to CRM", "queued update stats", "queued send receipt",
		"started charge card", "completed charge card",
		"started sync to CRM", "failed sync to CRM",
		"started update stats", "failed update stats",
		"started send receipt", "completed send receipt",
	}
	if got := a.settledEvents(); !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := a.runner.Stats(); s != (bgtasks.Stats{Queued: 4, Completed: 2, Failed: 2}) {
		t.Errorf("stats %+v", s)
	}
	if n := len(a.logs.records(t, "receipt sent")); n != 1 {
		t.Errorf("%d receipts sent, want 1", n)
	}

	// Each failure is logged with what an operator needs to find it.
	failed := a.logs.records(t, "background task failed")
	if len(failed) != 2 {
		t.Fatalf("%d failures logged, want 2: %v", len(failed), failed)
	}
	for i, want := range []struct{ task, error, stack string }{
		{"sync to CRM", "crm: order 42: 503 Service Unavailable", ""},
		{"update stats", "panic: assignment to entry in nil map", "(*orderStats).record"},
	} {
		rec := failed[i]
		if rec["level"] != "ERROR" || rec["task"] != want.task || rec["method"] != "POST" ||
			rec["path"] != "/orders/42" || rec["error"] != want.error {
			t.Errorf("failure %d logged as %v, want task %q and error %q", i, rec, want.task, want.error)
		}
		if _, ok := rec["duration"].(float64); !ok {
			t.Errorf("failure %d logged without a duration: %v", i, rec)
		}
		stack, _ := rec["stack"].(string)
		if want.stack == "" && stack != "" || !strings.Contains(stack, want.stack) {
			t.Errorf("failure %d logged with stack %q, want one naming %q", i, stack, want.stack)
		}
	}
}

func TestBadIDIsRefused(t *testing.T) {
	a := startApp(t)
	for _, id := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
		a.mustPost(t, "/orders/"+id, http.StatusBadRequest, `{"error":"id \"`+id+`\" is not a positive number"}`)
	}
	if q := a.runner.Stats().Queued; q != 0 {
		t.Errorf("%d tasks queued by bad requests", q)
	}
	a.mustPost(t, "/orders/1", http.StatusCreated, `{"order":1,"status":"created"}`)
	a.runner.Wait()
}

func TestHandlerErrorStatusStillRunsTasks(t *testing.T) {
	a := startApp(t)
	a.mustPost(t, "/payments/7", http.StatusBadGateway, `{"error":"payment provider unavailable"}`)
	a.runner.Wait()

	if got, want := a.settledEvents(), []string{"queued audit payment attempt", "started audit payment attempt", "completed audit payment attempt"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if n := len(a.logs.records(t, "payment attempt audited")); n != 1 {
		t.Errorf("%d audit records, want 1", n)
	}
}

func TestHandlerPanicDropsTasks(t *testing.T) {
	a := startApp(t)
	_, _, err := a.post("/refunds/9")
	if !errors.Is(err, io.EOF) {
		t.Fatalf("POST /refunds/9: %v, want the connection closed (EOF)", err)
	}
	a.runner.Wait()

	if got, want := a.settledEvents(), []string{"queued notify customer", "abandoned notify customer"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if s := a.runner.Stats(); s != (bgtasks.Stats{Queued: 1, Abandoned: 1}) {
		t.Errorf("stats %+v", s)
	}
	if n := len(a.logs.records(t, "refund notice sent")); n != 0 {
		t.Errorf("the dropped task ran")
	}
	abandoned := a.logs.records(t, "background task abandoned")
	if len(abandoned) != 1 || abandoned[0]["task"] != "notify customer" || abandoned[0]["path"] != "/refunds/9" ||
		!strings.Contains(fmt.Sprint(abandoned[0]["reason"]), "handler panicked") {
		t.Errorf("abandoned tasks logged as %v", abandoned)
	}
	panics := a.logs.records(t, "handler panicked")
	if len(panics) != 1 || panics[0]["panic"] != "assignment to entry in nil map" ||
		!strings.Contains(fmt.Sprint(panics[0]["stack"]), "(*refundBook).add") {
		t.Errorf("panics logged as %v", panics)
	}
	// The panic was logged once, by the app, and not again by net/http.
	if s := a.netLog.buf.String(); s != "" {
		t.Errorf("net/http logged %q", s)
	}

	// The server goes on serving.
	a.mustPost(t, "/orders/1", http.StatusCreated, `{"order":1,"status":"created"}`)
	a.runner.Wait()
}

// With the card processor and the mail server taking NetworkDelay, the
// handler has answered before the first task has ended, and each slow call
// takes exactly its delay. The bubble's fake clock runs the delays without
// waiting; the request is served in memory, as the bubble has no network.
func TestOrderAnswersBeforeSlowTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var (
			mu    sync.Mutex
			ended []string // "completed charge card at 60ms", in order
		)
		done := make(chan struct{})
		runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)), bgtasks.WithObserver(func(e bgtasks.Event) {
			if e.Kind != bgtasks.Completed && e.Kind != bgtasks.Failed {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ended = append(ended, fmt.Sprintf("%s %s at %v", e.Kind, e.Task, time.Since(start)))
			if e.Task == "send receipt" {
				close(done)
			}
		}))
		app := failures.NewApp(runner, slog.New(slog.DiscardHandler), failures.NetworkDelay)

		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest("POST", "/orders/42", nil))
		if took := time.Since(start); w.Code != http.StatusCreated || took != 0 {
			t.Errorf("answered %d after %v, want 201 at once", w.Code, took)
		}
		<-done
		runner.Wait()

		d := failures.NetworkDelay
		want := []string{
			fmt.Sprintf("completed charge card at %v", d),
			fmt.Sprintf("failed sync to CRM at %v", d),
			fmt.Sprintf("failed update stats at %v", d),
			fmt.Sprintf("completed send receipt at %v", 2*d),
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(ended, want) {
			t.Errorf("tasks ended:\n%s\nwant:\n%s", strings.Join(ended, "\n"), strings.Join(want, "\n"))
		}
	})
}
