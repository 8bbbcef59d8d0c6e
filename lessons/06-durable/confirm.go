package durable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// ConfirmationArgs is the confirmation job: River stores it as JSON in the
// job's row, so it holds values (an id, an address), never a connection or
// a closure.
type ConfirmationArgs struct {
	OrderID int64  `json:"order_id"`
	Email   string `json:"email"`
}

// Kind names the job in the database; changing it strands queued jobs.
func (ConfirmationArgs) Kind() string { return "order_confirmation" }

// confirmationWorker mails an order's confirmation and records it.
type confirmationWorker struct {
	river.WorkerDefaults[ConfirmationArgs]
	db     *sql.DB
	mailer Mailer
	log    *slog.Logger
}

// Work may run more than once for one job: after a crash, after a timeout,
// after an error. So the mail carries a key that is the same on every
// attempt, and the confirmation is recorded in the transaction that
// completes the job: recorded once, or not at all and tried again.
func (w *confirmationWorker) Work(ctx context.Context, job *river.Job[ConfirmationArgs]) error {
	o := job.Args
	w.log.InfoContext(ctx, "confirmation started", "job", job.ID, "order", o.OrderID, "attempt", job.Attempt)
	m := Mail{
		Key:  fmt.Sprintf("order-%d-confirmation", o.OrderID),
		To:   o.Email,
		Body: fmt.Sprintf("Thank you: order %d is confirmed.", o.OrderID),
	}
	if err := w.mailer.Send(ctx, m); err != nil {
		if errors.Is(err, ErrRejected) {
			return river.JobCancel(err) // trying again would get the same answer
		}
		return err // River tries again later, with backoff
	}

	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, `INSERT INTO confirmations (order_id, job_id, attempt) VALUES ($1, $2, $3)`,
		o.OrderID, job.ID, job.Attempt); err != nil {
		return err
	}
	// The driver's type only tells JobCompleteTx which transactions it gets:
	// *sql.Tx, on SQLite and on PostgreSQL alike.
	if _, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx, job); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.log.InfoContext(ctx, "order confirmed", "job", job.ID, "order", o.OrderID, "attempt", job.Attempt)
	return nil
}
