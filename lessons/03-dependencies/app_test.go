package dependencies

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// recorder keeps what a Runner reports: its events, its log and the errors
// passed to its hook.
type recorder struct {
	mu     sync.Mutex
	events []bgtasks.Event
	log    bytes.Buffer
	failed chan *bgtasks.TaskError
}

func (rec *recorder) observe(e bgtasks.Event) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.events = append(rec.events, e)
}

func (rec *recorder) Write(p []byte) (int, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.log.Write(p)
}

// names returns the names of the tasks of kind, in the order reported, each
// as "request/index name".
func (rec *recorder) names(kind bgtasks.EventKind) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var names []string
	for _, e := range rec.events {
		if e.Kind == kind {
			names = append(names, strconv.FormatUint(e.Request, 10)+"/"+strconv.Itoa(e.Index)+" "+e.Task)
		}
	}
	return names
}

// instant is a mail server that answers at once, so that tests never wait
// for SendDelay.
func instant(context.Context, string, string) error { return nil }

// serve starts NewApp on loopback with a fresh shop.
func serve(t *testing.T) (*httptest.Server, *bgtasks.Runner, *recorder, string) {
	t.Helper()
	dir := t.TempDir()
	rec := &recorder{failed: make(chan *bgtasks.TaskError, 10)}
	runner := bgtasks.New(
		bgtasks.WithObserver(rec.observe),
		bgtasks.WithLogger(slog.New(slog.NewTextHandler(rec, nil))),
		bgtasks.WithErrorHook(func(_ context.Context, err *bgtasks.TaskError) { rec.failed <- err }),
	)
	srv := httptest.NewServer(runner.Middleware(NewApp(dir, NewShop(map[string]int{"book": 3, "mug": 20}), instant)))
	t.Cleanup(func() {
		srv.Close()
		if err := runner.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv, runner, rec, dir
}

func post(t *testing.T, srv *httptest.Server, path, body string) (int, map[string]any) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var reply map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("POST %s: reply is not a JSON object: %v", path, err)
	}
	return resp.StatusCode, reply
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

func TestMiddlewareHelperAndHandlerShareOneQueue(t *testing.T) {
	srv, runner, rec, dir := serve(t)
	status, reply := post(t, srv, "/orders?ref=newsletter", `{"email":"ada@example.com","item":"book","quantity":2}`)
	if status != http.StatusCreated || reply["id"] != float64(1) {
		t.Fatalf("got %d %v, want 201 and order 1", status, reply)
	}
	runner.Wait()

	// One request, one queue: every task is request 1's, numbered in the
	// order added: the middleware's, the helper's, then the handler's.
	want := []string{"1/0 audit", "1/1 count referral", "1/2 email confirmation", "1/3 reorder stock"}
	if got := rec.names(bgtasks.Queued); !slices.Equal(got, want) {
		t.Errorf("queued %q, want %q", got, want)
	}
	if got := rec.names(bgtasks.Started); !slices.Equal(got, want) {
		t.Errorf("started %q, want %q", got, want)
	}
	if got, want := readFile(t, dir, "audit.log"), "req-1 POST /orders\n"; got != want {
		t.Errorf("audit.log = %q, want %q", got, want)
	}
	wantLog := "referral: newsletter\nconfirmation to ada@example.com: order 1, 2 x book\nreorder book: 1 left\n"
	if got := readFile(t, dir, "log.txt"); got != wantLog {
		t.Errorf("log.txt = %q, want %q", got, wantLog)
	}
}

// The response never waits for the tasks: with a first task blocked on a
// channel the test holds, the order is answered, and nothing the app queued
// behind that task has run yet.
func TestResponseDoesNotWaitForTasks(t *testing.T) {
	dir := t.TempDir()
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
	holding, release := make(chan struct{}), make(chan struct{})
	app := NewApp(dir, NewShop(map[string]int{"book": 3}), instant)
	srv := httptest.NewServer(runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("hold", func(ctx context.Context) error {
			close(holding)
			<-release
			return nil
		})
		app.ServeHTTP(w, r)
	})))
	t.Cleanup(func() {
		srv.Close()
		if err := runner.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // runs first: a failed test must not leave the task blocked

	status, reply := post(t, srv, "/orders?ref=newsletter", `{"email":"ada@example.com","item":"book","quantity":2}`)
	if status != http.StatusCreated || reply["id"] != float64(1) {
		t.Fatalf("got %d %v, want 201 and order 1", status, reply)
	}
	<-holding
	if got := readFile(t, dir, "audit.log") + readFile(t, dir, "log.txt"); got != "" {
		t.Errorf("with the first task still blocked, the app's tasks wrote %q", got)
	}
	unblock()
	runner.Wait()
	if got, want := readFile(t, dir, "audit.log"), "req-1 POST /orders\n"; got != want {
		t.Errorf("audit.log = %q, want %q", got, want)
	}
}

func TestLeakyAuditTaskFailsOnClosedFile(t *testing.T) {
	srv, runner, rec, dir := serve(t)
	status, reply := post(t, srv, "/leaky/orders", `{"email":"grace@example.com","item":"mug","quantity":1}`)
	if status != http.StatusCreated {
		t.Fatalf("got %d %v: the client must not see the task's failure", status, reply)
	}

	var failure *bgtasks.TaskError
	select {
	case failure = <-rec.failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the leaky audit task did not fail")
	}
	if failure.Task != "audit" || !errors.Is(failure, os.ErrClosed) {
		t.Errorf("failure = %v, want the audit task failing with os.ErrClosed", failure)
	}
	if got := failure.Err.Error(); got != "write audit.log: file already closed" {
		t.Errorf("error = %q, want the file named without its directory", got)
	}
	// The hook is called after the log line is written.
	rec.mu.Lock()
	logged := rec.log.String()
	rec.mu.Unlock()
	for _, want := range []string{`msg="background task failed"`, "task=audit", "path=/leaky/orders", `error="write audit.log: file already closed"`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s:\n%s", want, logged)
		}
	}

	// The failure cost the audit line, and nothing else: the next task ran.
	runner.Wait()
	if got := readFile(t, dir, "audit.log"); got != "" {
		t.Errorf("audit.log = %q, want it empty", got)
	}
	if got, want := readFile(t, dir, "log.txt"), "confirmation to grace@example.com: order 1, 1 x mug\n"; got != want {
		t.Errorf("log.txt = %q, want %q", got, want)
	}

	// The fixed middleware, on the same app, writes its line.
	post(t, srv, "/orders", `{"email":"grace@example.com","item":"mug","quantity":1}`)
	runner.Wait()
	if got, want := readFile(t, dir, "audit.log"), "req-2 POST /orders\n"; got != want {
		t.Errorf("audit.log after the fixed middleware = %q, want %q", got, want)
	}
	if len(rec.failed) > 0 {
		t.Errorf("the fixed middleware failed: %v", <-rec.failed)
	}
}

func TestRefusedRequestsQueueOnlyTheAudit(t *testing.T) {
	srv, runner, rec, dir := serve(t)
	tests := []struct {
		name, path, body string
		status           int
		errorHas         string
	}{
		{"bad email", "/orders", `{"email":"ada.example.com","item":"book","quantity":1}`, 400, "invalid email address"},
		{"zero quantity", "/orders", `{"email":"ada@example.com","item":"book","quantity":0}`, 400, "quantity must be 1 to 10"},
		{"unknown item", "/orders", `{"email":"ada@example.com","item":"lamp","quantity":1}`, 404, "no such item"},
		{"out of stock", "/orders", `{"email":"ada@example.com","item":"book","quantity":4}`, 409, "3 book left"},
		{"unknown field", "/orders", `{"email":"ada@example.com","item":"book","quantity":1,"coupon":"FREE"}`, 400, `unknown field "coupon"`},
		{"field in capitals", "/orders", `{"email":"ada@example.com","item":"book","Quantity":1}`, 400, `unknown field "Quantity" (did you mean "quantity"? field names are case-sensitive)`},
		{"field twice", "/orders", `{"email":"ada@example.com","item":"book","quantity":1,"quantity":3}`, 400, `field "quantity" given twice`},
		{"quantity as text", "/orders", `{"email":"ada@example.com","item":"book","quantity":"two"}`, 400, "invalid JSON body"},
		{"broken JSON", "/orders", `{"email":`, 400, "invalid JSON body"},
		{"oversized body", "/orders", `{"email":"` + strings.Repeat("a", maxBody) + `@example.com"}`, 413, "larger than"},
		{"bad ref", "/orders?ref=%3Cscript%3E", `{"email":"ada@example.com","item":"book","quantity":1}`, 400, "invalid ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reply := post(t, srv, tt.path, tt.body)
			if msg, _ := reply["error"].(string); status != tt.status || !strings.Contains(msg, tt.errorHas) {
				t.Errorf("got %d %v, want %d and an error containing %q", status, reply, tt.status, tt.errorHas)
			}
		})
	}
	runner.Wait()
	// Every refused request is audited, and nothing else is queued.
	for _, name := range rec.names(bgtasks.Queued) {
		if !strings.HasSuffix(name, "/0 audit") {
			t.Errorf("a refused request queued %s", name)
		}
	}
	if got := strings.Count(readFile(t, dir, "audit.log"), "\n"); got != len(tests) {
		t.Errorf("audit.log has %d lines, want %d", got, len(tests))
	}

	// The server still serves, and the refusals took no stock.
	if status, reply := post(t, srv, "/orders", `{"email":"ada@example.com","item":"book","quantity":3}`); status != http.StatusCreated {
		t.Errorf("after refusals: %d %v", status, reply)
	}
}

func TestPlaceOrderEvents(t *testing.T) {
	shop := NewShop(map[string]int{"book": 3})
	_, events, err := shop.PlaceOrder(OrderInput{Email: "ada@example.com", Item: "book", Quantity: 1})
	if err != nil || len(events) != 1 {
		t.Fatalf("first order: %v %v, want one event", events, err)
	}
	if placed, ok := events[0].(OrderPlaced); !ok || placed.Order.ID != 1 || placed.Order.Email != "ada@example.com" {
		t.Errorf("events[0] = %#v, want OrderPlaced for order 1", events[0])
	}
	order, events, err := shop.PlaceOrder(OrderInput{Email: "ada@example.com", Item: "book", Quantity: 2})
	if err != nil || order.ID != 2 || len(events) != 2 || events[1] != (StockLow{Item: "book", Left: 0}) {
		t.Errorf("second order: %v %#v %v, want order 2 with OrderPlaced and StockLow{book 0}", order, events, err)
	}
	if _, events, err := shop.PlaceOrder(OrderInput{Email: "ada@example.com", Item: "book", Quantity: 1}); !errors.Is(err, ErrOutOfStock) || events != nil {
		t.Errorf("third order: %v %v, want ErrOutOfStock and no events", events, err)
	}
	var invalid *InvalidOrderError
	if _, _, err := shop.PlaceOrder(OrderInput{Email: "Ada <ada@example.com>", Item: "book", Quantity: 1}); !errors.As(err, &invalid) {
		t.Errorf("display-name email: %v, want an InvalidOrderError", err)
	}
}

func TestPlaceOrderNeverOversells(t *testing.T) {
	shop := NewShop(map[string]int{"mug": 5})
	var wg sync.WaitGroup
	var mu sync.Mutex
	sold := 0
	for range 20 {
		wg.Go(func() {
			if _, _, err := shop.PlaceOrder(OrderInput{Email: "ada@example.com", Item: "mug", Quantity: 1}); err == nil {
				mu.Lock()
				sold++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if sold != 5 {
		t.Errorf("sold %d mugs of 5", sold)
	}
}

// The use case must stay free of HTTP and of the task queue, so that
// anything can call it.
func TestUseCaseImportsNoHTTP(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "shop.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "net/http") || strings.HasSuffix(path, "/bgtasks") {
			t.Errorf("shop.go imports %s; the use case must not depend on HTTP", path)
		}
	}
}

// The confirmation goes to the customer with the order in it, and is
// written to log.txt only once the mail server has accepted it.
func TestConfirmationIsLoggedOnlyOnceSent(t *testing.T) {
	for _, sendErr := range []error{nil, errors.New("mail server: 421 try again later")} {
		dir := t.TempDir()
		runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
		var to, body string
		send := func(_ context.Context, addr, text string) error {
			to, body = addr, text // one order, so one task writes these
			return sendErr
		}
		srv := httptest.NewServer(runner.Middleware(NewApp(dir, NewShop(map[string]int{"mug": 20}), send)))
		status, reply := post(t, srv, "/orders", `{"email":"ada@example.com","item":"mug","quantity":2}`)
		runner.Wait()
		srv.Close()
		if status != http.StatusCreated {
			t.Fatalf("send error %v: got %d %v, want 201", sendErr, status, reply)
		}
		if to != "ada@example.com" || body != "order 1, 2 x mug" {
			t.Errorf("mailed %q to %q, want %q to %q", body, to, "order 1, 2 x mug", "ada@example.com")
		}
		want := "confirmation to ada@example.com: order 1, 2 x mug\n"
		if sendErr != nil {
			want = ""
		}
		if got := readFile(t, dir, "log.txt"); got != want {
			t.Errorf("send error %v: log.txt = %q, want %q", sendErr, got, want)
		}
		if s := runner.Stats(); sendErr != nil && s.Failed != 1 {
			t.Errorf("send error %v: stats %+v, want the confirmation failed", sendErr, s)
		}
	}
}

// SimulatedSend takes SendDelay, as the scenario's timeline shows, and
// gives up when its context ends. The bubble's fake clock measures it
// without waiting.
func TestSimulatedSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := SimulatedSend(context.Background(), "ada@example.com", "order 1"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != SendDelay {
			t.Errorf("took %v, want %v", took, SendDelay)
		}
		ctx, cancel := context.WithTimeout(context.Background(), SendDelay/2)
		defer cancel()
		start = time.Now()
		err := SimulatedSend(ctx, "ada@example.com", "order 1")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != SendDelay/2 {
			t.Errorf("cancelled after %v: %v; want a deadline error after %v", time.Since(start), err, SendDelay/2)
		}
	})
}

// A page on another site can make the browser POST a form, or a fetch with
// a "simple" Content-Type such as text/plain, without asking first; it
// cannot send application/json without a CORS preflight, which this app
// never answers. So anything but application/json is refused, and no
// order is placed.
func TestCrossSiteFormIsRefused(t *testing.T) {
	srv, runner, rec, dir := serve(t)
	for _, ctype := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		req, _ := http.NewRequest("POST", srv.URL+"/orders", strings.NewReader(`{"email":"ada@example.com","item":"book","quantity":1}`))
		req.Header.Set("Origin", "http://evil.example")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var reply map[string]any
		json.NewDecoder(resp.Body).Decode(&reply)
		resp.Body.Close()
		if msg, _ := reply["error"].(string); resp.StatusCode != http.StatusUnsupportedMediaType || msg != "Content-Type must be application/json" {
			t.Errorf("Content-Type %q: %d %v, want 415", ctype, resp.StatusCode, reply)
		}
	}
	runner.Wait()
	for _, name := range rec.names(bgtasks.Queued) {
		if !strings.HasSuffix(name, "/0 audit") {
			t.Errorf("a refused request queued %s", name)
		}
	}
	if got := readFile(t, dir, "log.txt"); got != "" {
		t.Errorf("log.txt = %q, want nothing done", got)
	}
	// No stock was taken: all three books can still be ordered.
	if status, reply := post(t, srv, "/orders", `{"email":"ada@example.com","item":"book","quantity":3}`); status != http.StatusCreated {
		t.Errorf("after the refusals: %d %v", status, reply)
	}
}
