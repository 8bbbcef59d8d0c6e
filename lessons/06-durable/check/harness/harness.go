// Package harness checks the exercise of lesson 06-durable: a newsletter
// whose welcome mail is a River job. It is apart from package check, which
// the tutor links, so that the tutor never links River or SQLite.
package harness

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// A Newsletter is what the exercise's New returns: workers to register on
// a River client, and an HTTP side that queues jobs on one.
type Newsletter interface {
	AddWorkers(workers *river.Workers)
	Handler(queue *river.Client[*sql.Tx]) http.Handler
}

// Schema is what the check creates before it calls New.
const Schema = `CREATE TABLE subscribers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE welcomes (subscriber_id INTEGER NOT NULL, job_id INTEGER NOT NULL);`

// Exercise checks the exercise. newNewsletter gets a SQLite
// database holding Schema and River's tables, and a function that mails a
// welcome; POST /subscribers must store the subscriber and queue a "welcome"
// job in one transaction, and the job's worker must mail, outside any
// transaction, with the same idempotency key on every attempt, and record
// the welcome in welcomes exactly once, in the transaction that completes
// the job.
//
// The error's first line is "step N/4: what is wrong"; its last line may be
// "hint: what to do". No verdict depends on timing: the check injects the
// failures and crashes it needs, watches each transaction from inside
// SQLite, and waits on the database.
func Exercise[N Newsletter, S ~func(ctx context.Context, key, to string) error](newNewsletter func(db *sql.DB, send S) N) error {
	dir, err := os.MkdirTemp("", "durable-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	l := &ledger{}
	db, err := openDB(ctx, l, filepath.Join(dir, "newsletter.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	mail := newOutbox(db)
	n := newNewsletter(db, mail.send)

	c := &checker{db: db, n: n, mail: mail, ledger: l}
	for _, step := range []func(context.Context) error{c.queuesInTx, c.commitsTogether, c.recordsOnce, c.keepsItsKey} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// openDB opens SQLite as the lesson's shop does: WAL, a busy timeout,
// immediate transactions and one connection; l watches its transactions.
func openDB(ctx context.Context, l *ledger, path string) (*sql.DB, error) {
	db := l.open("file:" + path + "?_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate")
	db.SetMaxOpenConns(1)
	migrator, err := rivermigrate.New(riversqlite.New(db), nil)
	if err == nil {
		_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err == nil {
		_, err = db.ExecContext(ctx, Schema+"\n"+watch+"\n"+firstSubscriber)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("preparing the check's database: %w", err), db.Close())
	}
	return db, nil
}

// firstSubscriber is on the list before the check begins, so that no
// subscriber's id is also a job's: a welcome recorded with the wrong one
// shows.
const firstSubscriber = `INSERT INTO subscribers (id, email) VALUES (100, 'first@example.com');`

type checker struct {
	db     *sql.DB
	n      Newsletter
	mail   *outbox
	ledger *ledger
	srv    *httptest.Server
	spy    *spyDriver
	jobs   map[string]int64 // the welcome job of each subscriber
}
