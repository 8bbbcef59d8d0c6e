package durable

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

var dbTests = []dbTest{
	{"OrderIsConfirmedOnce", testOrderIsConfirmedOnce},
	{"NoOrderWithoutItsJob", testNoOrderWithoutItsJob},
	{"RetriesWithBackoff", testRetriesWithBackoff},
	{"RejectedMailCancelsTheJob", testRejectedMailCancelsTheJob},
	{"FailsForGoodAfterMaxAttempts", testFailsForGoodAfterMaxAttempts},
	{"CloseHandsRunningJobsOn", testCloseHandsRunningJobsOn},
	{"InProcess", testInProcess},
}

func testOrderIsConfirmedOnce(t *testing.T, newURL func(*testing.T) string) {
	mb := &mailbox{}
	shop, srv := open(t, newURL(t), Config{Mailer: mb})
	status, reply := post(t, srv, `{"email":"ada@example.com","item":"book","quantity":2}`)
	if want := `{"id":1,"email":"ada@example.com","item":"book","quantity":2}`; status != http.StatusCreated || reply != want {
		t.Fatalf("got %d %s, want 201 %s", status, reply, want)
	}
	waitFor(t, shop.db.DB, 1, `SELECT count(*) FROM confirmations WHERE order_id = 1`)

	// The row and the job's completion were committed together.
	if j := job(t, shop, 1); j == nil || j.State != "completed" || j.Attempt != 1 {
		t.Errorf("job = %+v, want completed on attempt 1", j)
	}
	want := Mail{Key: "order-1-confirmation", To: "ada@example.com", Body: "Thank you: order 1 is confirmed."}
	if got := mb.mails(); len(got) != 1 || got[0] != want {
		t.Errorf("mails = %+v, want one: %+v", got, want)
	}
	status, reply = do(t, srv, "GET", "/orders/1", "", "")
	if want := `{"id":1,"email":"ada@example.com","item":"book","quantity":2,"confirmed":true}`; status != http.StatusOK || reply != want {
		t.Errorf("GET /orders/1 = %d %s, want 200 %s", status, reply, want)
	}
}

// When the job cannot be queued, the order is rolled back with it: the
// customer is told it failed, rather than never hearing of an order that
// exists.
func testNoOrderWithoutItsJob(t *testing.T, newURL func(*testing.T) string) {
	shop, err := Open(context.Background(), Config{DatabaseURL: newURL(t), Dir: t.TempDir(),
		Mailer: &mailbox{}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer shop.Close(context.Background())
	srv := httptest.NewServer(shop.Handler())
	defer srv.Close()
	db := shop.db.DB

	// The job table gone, every InsertTx fails.
	if _, err := db.Exec(`ALTER TABLE river_job RENAME TO river_job_away`); err != nil {
		t.Fatal(err)
	}
	if status, reply := post(t, srv, `{"email":"ada@example.com","item":"book","quantity":1}`); status != http.StatusInternalServerError {
		t.Errorf("with no job table: %d %s, want 500", status, reply)
	}
	if n := count(t, db, `SELECT count(*) FROM orders`); n != 0 {
		t.Errorf("%d orders stored whose job could not be queued", n)
	}

	if _, err := db.Exec(`ALTER TABLE river_job_away RENAME TO river_job`); err != nil {
		t.Fatal(err)
	}
	if status, reply := post(t, srv, `{"email":"ada@example.com","item":"book","quantity":1}`); status != http.StatusCreated {
		t.Fatalf("with the job table back: %d %s, want 201", status, reply)
	}
	if orders, jobs := count(t, db, `SELECT count(*) FROM orders`), count(t, db, `SELECT count(*) FROM river_job`); orders != 1 || jobs != 1 {
		t.Errorf("%d orders and %d jobs, want one of each", orders, jobs)
	}
}

// A failure the mail server may recover from is tried again, later each
// time; the customer gets one mail, and the order one confirmation.
func testRetriesWithBackoff(t *testing.T, newURL func(*testing.T) string) {
	mb := &mailbox{fail: func(calls int, m Mail) error {
		if calls < 2 {
			return errors.New("421 service not available, try again later")
		}
		return nil
	}}
	shop, srv := open(t, newURL(t), Config{Mailer: mb})
	post(t, srv, `{"email":"ada@example.com","item":"mug","quantity":1}`)
	waitFor(t, shop.db.DB, 1, `SELECT count(*) FROM confirmations WHERE order_id = 1 AND attempt = 3`)
	j := job(t, shop, 1)
	if j.State != "completed" || len(j.Errors) != 2 || !strings.Contains(j.Errors[0].Error, "421") {
		t.Errorf("job %s after %d attempts, errors %+v; want completed on the third, after two 421s", j.State, j.Attempt, j.Errors)
	}
	if got := mb.mails(); len(got) != 1 {
		t.Errorf("%d mails delivered, want 1", len(got))
	}
}

// A final no from the mail server cancels the job at once: trying again
// would only annoy the server.
func testRejectedMailCancelsTheJob(t *testing.T, newURL func(*testing.T) string) {
	mb := &mailbox{fail: func(_ int, m Mail) error {
		return fmt.Errorf("550 no such mailbox %s: %w", m.To, ErrRejected)
	}}
	shop, srv := open(t, newURL(t), Config{Mailer: mb})
	post(t, srv, `{"email":"nobody@example.com","item":"pen","quantity":1}`)
	waitFor(t, shop.db.DB, 1, `SELECT count(*) FROM river_job WHERE state = 'cancelled'`)
	if j := job(t, shop, 1); j.Attempt != 1 || len(j.Errors) != 1 || !strings.Contains(j.Errors[0].Error, "550") {
		t.Errorf("cancelled job: attempt %d, errors %+v; want one attempt, failed with 550", j.Attempt, j.Errors)
	}
	if n := count(t, shop.db.DB, `SELECT count(*) FROM confirmations`); n != 0 {
		t.Errorf("%d confirmations for a rejected mail", n)
	}
}

// A job that keeps failing is discarded after MaxAttempts, with every
// attempt's error kept for whoever looks into it. bgtasks would have logged
// one failure and forgotten the task.
func testFailsForGoodAfterMaxAttempts(t *testing.T, newURL func(*testing.T) string) {
	mb := &mailbox{fail: func(int, Mail) error { return errors.New("dial tcp: connection refused") }}
	shop, srv := open(t, newURL(t), Config{Mailer: mb, MaxAttempts: 3, Logger: slog.New(slog.DiscardHandler)})
	post(t, srv, `{"email":"ada@example.com","item":"pen","quantity":1}`)
	waitFor(t, shop.db.DB, 1, `SELECT count(*) FROM river_job WHERE state = 'discarded'`)
	if j := job(t, shop, 1); j.Attempt != 3 || len(j.Errors) != 3 {
		t.Errorf("discarded job: attempt %d, %d errors; want 3 and 3", j.Attempt, len(j.Errors))
	}
	if status, reply := do(t, srv, "GET", "/orders/1", "", ""); !strings.Contains(reply, `"confirmed":false`) {
		t.Errorf("GET /orders/1 = %d %s, want it unconfirmed", status, reply)
	}
}

// Close cancels a job still running at its deadline, and River hands it to
// the next process as if it had never started: same attempt number, no
// error counted.
func testCloseHandsRunningJobsOn(t *testing.T, newURL func(*testing.T) string) {
	url, dir := newURL(t), t.TempDir()
	stuck := &stuckMailer{started: make(chan struct{})}
	ctx := context.Background()
	shop, err := Open(ctx, Config{DatabaseURL: url, Dir: dir, Mailer: stuck, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop.Handler())
	if err := shop.Start(ctx); err != nil {
		t.Fatal(err)
	}
	post(t, srv, `{"email":"ada@example.com","item":"book","quantity":1}`)
	<-stuck.started
	srv.Close()
	gone, cancel := context.WithCancel(ctx)
	cancel() // no time for the job to finish
	if err := shop.Close(gone); !errors.Is(err, context.Canceled) {
		t.Errorf("Close = %v, want context.Canceled: it could not wait", err)
	}

	mb := &mailbox{}
	next, _ := open(t, url, Config{Dir: dir, Mailer: mb})
	waitFor(t, next.db.DB, 1, `SELECT count(*) FROM confirmations WHERE order_id = 1 AND attempt = 1`)
	if j := job(t, next, 1); len(j.Errors) != 0 {
		t.Errorf("errors %+v; a job cut short by Close should count none", j.Errors)
	}
}

func testInProcess(t *testing.T, newURL func(*testing.T) string) {
	mb := &mailbox{}
	shop, srv := open(t, newURL(t), Config{Mailer: mb, InProcess: true})
	if status, reply := post(t, srv, `{"email":"ada@example.com","item":"book","quantity":1}`); status != http.StatusCreated {
		t.Fatalf("got %d %s", status, reply)
	}
	waitFor(t, shop.db.DB, 1, `SELECT count(*) FROM confirmations WHERE order_id = 1`)
	if n := count(t, shop.db.DB, `SELECT count(*) FROM river_job`); n != 0 {
		t.Errorf("%d River jobs from the in-process shop", n)
	}
	if got := mb.mails(); len(got) != 1 || got[0].Key != "order-1-confirmation" {
		t.Errorf("mails = %+v, want one for order 1", got)
	}
}

func TestInputIsStrict(t *testing.T) {
	shop, srv := open(t, "", Config{Mailer: &mailbox{}})
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		errorHas                              string
	}{
		{"text body", "POST", "/orders", "text/plain", `{"email":"ada@example.com","item":"book","quantity":1}`, 415, "Content-Type must be application/json"},
		{"no content type", "POST", "/orders", "", `{"email":"ada@example.com","item":"book","quantity":1}`, 415, "Content-Type"},
		{"unknown field", "POST", "/orders", "application/json", `{"email":"ada@example.com","item":"book","quantity":1,"coupon":"FREE"}`, 400, `unknown field \"coupon\"`},
		{"two objects", "POST", "/orders", "application/json", `{"email":"ada@example.com","item":"book","quantity":1}{}`, 400, "single JSON object"},
		{"empty", "POST", "/orders", "application/json", ``, 400, "must be a JSON object"},
		{"oversized", "POST", "/orders", "application/json", `{"email":"` + strings.Repeat("a", maxBody) + `"}`, 413, "larger than"},
		{"bad email", "POST", "/orders", "application/json", `{"email":"ada.example.com","item":"book","quantity":1}`, 400, "invalid email address"},
		{"zero quantity", "POST", "/orders", "application/json", `{"email":"ada@example.com","item":"book","quantity":0}`, 400, "quantity must be 1 to 10"},
		{"unknown item", "POST", "/orders", "application/json", `{"email":"ada@example.com","item":"lamp","quantity":1}`, 404, "no such item"},
		{"bad id", "GET", "/orders/abc", "", "", 400, "not a positive number"},
		{"no such order", "GET", "/orders/7", "", "", 404, "no order 7"},
		{"charset is fine", "POST", "/orders", "application/json; charset=utf-8", `{"email":"ada@example.com","item":"book","quantity":1}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reply := do(t, srv, tt.method, tt.path, tt.contentType, tt.body)
			if status != tt.status || !strings.Contains(reply, tt.errorHas) {
				t.Errorf("got %d %s, want %d and %q", status, reply, tt.status, tt.errorHas)
			}
		})
	}
	// Only the last request was an order.
	if n := count(t, shop.db.DB, `SELECT count(*) FROM orders`); n != 1 {
		t.Errorf("%d orders stored, want 1", n)
	}
}

// stuckMailer's first Send says it started, then waits for its context.
type stuckMailer struct {
	started chan struct{}
	once    sync.Once
}

func (m *stuckMailer) Send(ctx context.Context, _ Mail) error {
	m.once.Do(func() { close(m.started) })
	<-ctx.Done()
	return context.Cause(ctx)
}
