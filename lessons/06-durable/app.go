// Package durable is the app of lesson 06-durable: the shop of the earlier
// lessons, whose order confirmation is a River job instead of a bgtasks task.
//
// POST /orders stores the order and queues its confirmation job in one
// transaction. A worker mails the confirmation, then records it in the
// transaction that completes the job. Whenever the process dies, the job is
// still in the database, and the next process works it: the confirmation is
// recorded exactly once, and mailed at least once.
//
// The shop runs on SQLite by default, a file in its folder, and on
// PostgreSQL given a postgres:// URL; the code is the same.
package durable

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Config says how to run a Shop. The zero value runs on shop.db in the
// working directory with River's defaults.
type Config struct {
	// DatabaseURL names the database: empty for shop.db in Dir, a file path
	// or sqlite://PATH for SQLite, postgres://... for PostgreSQL.
	DatabaseURL string
	// Dir holds shop.db and, unless Mailer is set, outbox.jsonl.
	Dir string
	// Mailer sends the confirmations; nil means an Outbox in Dir.
	Mailer Mailer
	// Logger gets the shop's lines and River's; nil means slog.Default().
	Logger *slog.Logger

	// Workers is how many confirmations are worked at once (default 10).
	Workers int
	// MaxAttempts is how often a job is tried before it is discarded
	// (default River's, 25).
	MaxAttempts int
	// JobTimeout cancels a job's context once it has run this long
	// (default River's, 1 minute).
	JobTimeout time.Duration
	// RescueAfter is how long a job may be running before River takes it for
	// the job of a dead process and runs it again (default River's, 1 hour).
	// It must be longer than JobTimeout.
	RescueAfter time.Duration
	// RetryPolicy says when a failed job runs again (default River's:
	// attempt⁴ seconds after the attempt, so 1 s, 16 s, 81 s, ...).
	RetryPolicy river.ClientRetryPolicy

	// InProcess sends the confirmation in a bgtasks task after the commit,
	// as lessons 01-05 did, instead of a River job: the comparison that
	// shows what a crash costs.
	InProcess bool
}

// A Shop takes orders and confirms them. Serve its Handler, Start it to
// work jobs, and Close it when done.
type Shop struct {
	db     *database
	queue  *river.Client[*sql.Tx]
	tasks  *bgtasks.Runner // with Config.InProcess only
	mailer Mailer
	log    *slog.Logger
}

// Open opens the database, creates River's tables and the shop's if they
// are missing, and returns a shop that is not yet working jobs.
func Open(ctx context.Context, cfg Config) (*Shop, error) {
	log := cmp.Or(cfg.Logger, slog.Default())
	db, err := openDatabase(ctx, cfg.DatabaseURL, cfg.Dir)
	if err != nil {
		return nil, err
	}
	s := &Shop{db: db, mailer: cfg.Mailer, log: log}
	if s.mailer == nil {
		s.mailer = &Outbox{Path: filepath.Join(cfg.Dir, "outbox.jsonl"), Delay: SendDelay}
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &confirmationWorker{db: db.DB, mailer: s.mailer, log: log})
	s.queue, err = river.NewClient(db.driver, &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmp.Or(cfg.Workers, 10)}},
		Workers:              workers,
		Logger:               log,
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		RetryPolicy:          cfg.RetryPolicy,
	})
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if cfg.InProcess {
		s.tasks = bgtasks.New(bgtasks.WithLogger(log))
	}
	return s, nil
}

// Handler serves POST /orders and GET /orders/{id}.
func (s *Shop) Handler() http.Handler {
	mux := http.NewServeMux()
	if s.tasks != nil {
		mux.HandleFunc("POST /orders", s.placeOrderInProcess)
	} else {
		mux.HandleFunc("POST /orders", s.placeOrder)
	}
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	if s.tasks != nil {
		return s.tasks.Middleware(mux)
	}
	return mux
}

// Start works queued jobs until Close, including those a dead process left
// behind. With Config.InProcess there are none: it does nothing.
func (s *Shop) Start(ctx context.Context) error {
	if s.tasks != nil {
		return nil
	}
	return s.queue.Start(ctx)
}

// Close stops working jobs: it lets the running ones finish until ctx ends,
// then cancels them, and closes the database. A job cut short this way is
// made available again, for the next process.
func (s *Shop) Close(ctx context.Context) error {
	var err error
	if s.tasks != nil {
		err = s.tasks.Shutdown(ctx)
	} else if err = s.queue.Stop(ctx); err != nil && ctx.Err() != nil {
		// River's Stop waits for running jobs forever unless told otherwise.
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = errors.Join(err, s.queue.StopAndCancel(cancelCtx))
	}
	return errors.Join(err, s.db.Close())
}
