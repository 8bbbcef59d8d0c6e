package durable

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.uber.org/goleak"
)

// Every test that needs a database runs on each that this machine has:
// SQLite always (TestSQLite), PostgreSQL where it is installed
// (TestPostgreSQL, in postgres_test.go). newURL makes a fresh, empty
// database for one test and returns its Config.DatabaseURL.
type dbTest struct {
	name string
	run  func(t *testing.T, newURL func(t *testing.T) string)
}

func TestSQLite(t *testing.T) {
	for _, tt := range dbTests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, func(t *testing.T) string { return "" })
		})
	}
}

// mailbox is a mail server in the test: it keeps what it was sent, and
// fails when fail says so.
type mailbox struct {
	mu   sync.Mutex
	sent []Mail
	// fail, if set, is asked before each delivery, with the number of
	// earlier calls; an error it returns is Send's.
	fail  func(calls int, m Mail) error
	calls int
}

func (mb *mailbox) Send(ctx context.Context, m Mail) error {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	mb.calls++
	if mb.fail != nil {
		if err := mb.fail(mb.calls-1, m); err != nil {
			return err
		}
	}
	mb.sent = append(mb.sent, m)
	return nil
}

func (mb *mailbox) mails() []Mail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]Mail(nil), mb.sent...)
}

// fastRetry retries a failed job 10 ms later, where River's default would
// wait 1 s, then 16 s.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// open opens a shop on a fresh database in t's temporary folder, serves it
// on loopback and starts it; the cleanup closes both.
func open(t *testing.T, url string, cfg Config) (*Shop, *httptest.Server) {
	t.Helper()
	cfg.DatabaseURL = url
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil)) // shown when a test fails
	}
	if cfg.RetryPolicy == nil {
		cfg.RetryPolicy = fastRetry{}
	}
	ctx := context.Background()
	shop, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := shop.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := shop.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return shop, srv
}

// post sends body as JSON and returns the status and the reply.
func post(t *testing.T, srv *httptest.Server, body string) (int, string) {
	t.Helper()
	return do(t, srv, "POST", "/orders", "application/json", body)
}

func do(t *testing.T, srv *httptest.Server, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// count runs a query that returns one number.
func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitFor polls the database until query returns want, and fails the test
// after a generous deadline. Tests wait on the database, not on River's
// events, which arrive some 250 ms after the work is done.
func waitFor(t *testing.T, db *sql.DB, want int, query string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := count(t, db, query, args...)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s, %s = %d, want %d", query, got, want)
		}
		time.Sleep(10 * time.Millisecond) // the polling interval, not a verdict
	}
}

// job returns the confirmation job of order id, or nil.
func job(t *testing.T, shop *Shop, id int64) *rivertype.JobRow {
	t.Helper()
	res, err := shop.queue.JobList(context.Background(), river.NewJobListParams().Kinds(ConfirmationArgs{}.Kind()).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range res.Jobs {
		var args ConfirmationArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			t.Fatal(err)
		}
		if args.OrderID == id {
			return j
		}
	}
	return nil
}

// Every client, pool and server a test starts must be gone when it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
