package harness

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// recordsOnce is step 3: the jobs are worked through a mail server that
// refuses the first attempts to each address and then drops the connection
// after its first delivery, while the ledger breaks each job's later
// attempts with its faults, one per attempt. Each welcome must still be
// mailed, with Work's context and outside any transaction, and recorded
// exactly once, with its job's id, in the transaction that completes it.
func (c *checker) recordsOnce(ctx context.Context) error {
	c.srv.Close()
	workers := river.NewWorkers()
	c.n.AddWorkers(workers)
	worker, err := river.NewClient(riversqlite.New(c.db), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:           workers,
		Middleware:        []rivertype.Middleware{c.ledger},
		RetryPolicy:       retryAtOnce{},
		FetchCooldown:     10 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		JobTimeout:        10 * time.Second,
		Logger:            slog.New(slog.DiscardHandler),
		TestOnly:          true,
	})
	if err != nil {
		return fmt.Errorf("step 3/4: making a River client with your workers: %v", err)
	}
	if err := worker.Start(ctx); err != nil {
		return fmt.Errorf("step 3/4: starting River: %v", err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if worker.Stop(stop) != nil {
			worker.StopAndCancel(ctx)
		}
	}()

	for _, email := range []string{"ada@example.com", "alan@example.com"} {
		job, err := c.waitFinal(ctx, c.jobs[email])
		if err != nil {
			return err
		}
		if err := c.welcomed(ctx, email, job); err != nil {
			return err
		}
	}
	return nil
}

// errSentInTx is the verdict on a worker that mails from inside a
// transaction.
var errSentInTx = errors.New("step 3/4: the welcome was mailed while your worker held a database transaction open: " +
	"the lesson's SQLite has one connection, so every request and every other job waited on the mail server, " +
	"and a slow mail server would stall them all\n" +
	"hint: send first, then open the transaction that records the welcome and completes the job")

// faults says, for a message, what the check breaks in step 3.
const faults = "the check makes the welcome's insert, the job's completion and the commit each fail once, one per attempt, " +
	"as a full disk or a lost connection would"

// welcomed checks what became of email's welcome job, once it is final.
func (c *checker) welcomed(ctx context.Context, email string, job *rivertype.JobRow) error {
	select {
	case <-c.mail.held:
		return errSentInTx
	default:
	}
	errs := jobErrors(job)
	if job.State != rivertype.JobStateCompleted {
		return fmt.Errorf("step 3/4: %s's welcome job ended %s after %d attempts, want completed; its errors: %s\n"+
			"(%s, and its mail server refuses the first tries)\n"+
			"hint: a job is completed when Work returns nil, or by river.JobCompleteTx in Work's transaction; "+
			"every other error should be returned, so that River tries again", email, job.State, job.Attempt, strings.Join(errs, "; "), faults)
	}
	if c.mail.acceptedFor(email) == 0 {
		return fmt.Errorf("step 3/4: %s's welcome job completed, but the mail server never accepted the mail: "+
			"it refused the first attempts with a temporary error, and the job was not tried again after them\n"+
			"hint: send first, and return Send's error, so that River tries again; record the welcome and complete the job only after the mail went out", email)
	}
	if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, refused) }) {
		return fmt.Errorf("step 3/4: %s's welcome was mailed in the end, but the job's errors hold none of the mail server's refusals: "+
			"Work did not return Send's error (it ignored it, or retried on its own with a loop or a snooze), so River's backoff, "+
			"its count of attempts and its record of errors never saw them\n"+
			"hint: return Send's error from Work, and let River try again", email)
	}
	if c.mail.detached() {
		return errors.New("step 3/4: the welcome was mailed with a context that is not the one Work was given: " +
			"a job timeout or a stopping River client can then never interrupt a slow mail server\n" +
			"hint: pass Work's ctx on to Send, and to every database call")
	}
	var jobs []int64
	rows, err := c.db.QueryContext(ctx, `SELECT job_id FROM welcomes WHERE subscriber_id = (SELECT id FROM subscribers WHERE email = $1)`, email)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		jobs = append(jobs, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case len(jobs) == 0 && c.swapped(ctx, email, job.ID):
		return fmt.Errorf("step 3/4: the welcome of %s is recorded with its subscriber's id as job_id and its job's id as subscriber_id\n"+
			"hint: the columns are (subscriber_id, job_id): the values go in that order", email)
	case len(jobs) == 0:
		return fmt.Errorf("step 3/4: %s's welcome job completed, but welcomes has no row for %s: nothing records that the mail went out "+
			"(%s: a worker that completes the job before the record is written, or ignores one of those errors, leaves it completed without its record)\n"+
			"hint: in Work, after sending, insert the row in a transaction that also completes the job, and return every error", email, email, faults)
	case len(jobs) > 1:
		return fmt.Errorf("step 3/4: the welcome of %s was recorded %d times: it was committed in a transaction that did not complete the job, "+
			"then the check failed that attempt, as a crash there would, and River ran the job again\n"+
			"hint: record the welcome in the transaction that also completes the job (river.JobCompleteTx), "+
			"so that the record and the completion commit together or not at all", email, len(jobs))
	case jobs[0] != job.ID:
		return fmt.Errorf("step 3/4: the welcome of %s is recorded with job_id %d, but its job is %d\n"+
			"hint: job_id is the River job's own id, job.ID; subscriber_id is the one in its args", email, jobs[0], job.ID)
	case c.ledger.recordedApart(job.ID):
		return fmt.Errorf("step 3/4: the welcome of %s was recorded in one transaction and its job completed in another: "+
			"a crash between the two commits leaves a completed job with no record, or a record that River repeats\n"+
			"hint: record the welcome and complete the job (river.JobCompleteTx) in one transaction, then commit once", email)
	}
	return nil
}

// swapped reports whether welcomes has a row for email's welcome job
// whose two ids are in each other's columns.
func (c *checker) swapped(ctx context.Context, email string, job int64) bool {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM welcomes
		WHERE subscriber_id = $1 AND job_id = (SELECT id FROM subscribers WHERE email = $2)`, job, email).Scan(&n)
	return err == nil && n > 0
}

// jobErrors returns the errors of job's attempts, each once, with how
// many attempts ended with it.
func jobErrors(job *rivertype.JobRow) []string {
	var errs []string
	count := map[string]int{}
	for _, e := range job.Errors {
		if count[e.Error]++; count[e.Error] == 1 {
			errs = append(errs, e.Error)
		}
	}
	for i, e := range errs {
		if n := count[e]; n > 1 {
			errs[i] = fmt.Sprintf("%s (%d attempts)", e, n)
		}
	}
	return errs
}

// waitFinal waits, on the database, until job id is completed, cancelled
// or discarded.
func (c *checker) waitFinal(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var state string
		if err := c.db.QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state); err != nil {
			return nil, err
		}
		if s := rivertype.JobState(state); s == rivertype.JobStateCompleted || s == rivertype.JobStateCancelled || s == rivertype.JobStateDiscarded {
			return jobRow(ctx, c.db, id)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("step 3/4: welcome job %d is still %s after 30s\n"+
				"hint: does Work return? It must not wait on the database while its own transaction holds the only connection, "+
				"and a transaction it gives up on must be rolled back (defer tx.Rollback()), or it keeps that connection", id, state)
		}
		select {
		case <-c.mail.held:
			return nil, errSentInTx
		case <-time.After(10 * time.Millisecond): // polling the database, not a verdict
		}
	}
}

// jobRow reads what the check reports of a job: its state, attempts and
// errors.
func jobRow(ctx context.Context, db *sql.DB, id int64) (*rivertype.JobRow, error) {
	j := &rivertype.JobRow{ID: id}
	var state string
	var errs []byte
	if err := db.QueryRowContext(ctx, `SELECT state, attempt, json(errors) FROM river_job WHERE id = $1`, id).Scan(&state, &j.Attempt, &errs); err != nil {
		return nil, err
	}
	j.State = rivertype.JobState(state)
	if len(errs) > 0 {
		_ = json.Unmarshal(errs, &j.Errors) // a report, best effort
	}
	return j, nil
}

// retryAtOnce retries a failed job right away, except after the mail
// server's last refusal: that retry waits for the clock's next second, so
// that a key made from the attempt's time, even to the second, changes.
type retryAtOnce struct{}

func (retryAtOnce) NextRetry(job *rivertype.JobRow) time.Time {
	if job.Attempt == refusals {
		return time.Now().Truncate(time.Second).Add(time.Second)
	}
	return time.Now()
}
