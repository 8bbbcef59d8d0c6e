// Package harness checks the exercise of lesson 06-durable: a newsletter
// whose welcome mail is a River job. It is apart from package check, which
// the tutor links, so that the tutor never links River or SQLite.
package harness

import (
	"context"
	"database/sql"
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
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // database/sql's "sqlite" driver
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

// queuesInTx is step 1: ada's and alan's subscriptions each queue one
// welcome job, in the handler's transaction.
func (c *checker) queuesInTx(ctx context.Context) error {
	workers := river.NewWorkers()
	c.n.AddWorkers(workers)
	c.spy = &spyDriver{Driver: riversqlite.New(c.db)}
	queue, err := river.NewClient[*sql.Tx](c.spy, &river.Config{
		Workers:    workers,
		Middleware: []rivertype.Middleware{&failInsert{email: "grace@example.com"}},
		Logger:     slog.New(slog.DiscardHandler),
		// Every job is created in the same second, as two sign-ups often
		// are: a key made from the job's creation time is then shared.
		Test: river.TestConfig{Time: fixedTime(time.Now().Add(-time.Minute).Truncate(time.Second))},
	})
	if err != nil {
		return fmt.Errorf("step 1/4: making a River client with your workers: %v\n"+
			"hint: AddWorkers should register the welcome worker: river.AddWorker(workers, ...)", err)
	}
	c.srv = httptest.NewServer(c.n.Handler(queue))
	c.jobs = map[string]int64{}
	for _, email := range []string{"ada@example.com", "alan@example.com"} {
		status, body, err := subscribe(c.srv, email)
		if err != nil {
			return fmt.Errorf("step 1/4: POST /subscribers for %s got no response: %v\n"+
				"hint: on the lesson's single SQLite connection, which the handler's transaction holds, "+
				"a second transaction or any use of the pool waits until the request gives up: insert the job in the handler's own transaction", email, err)
		}
		if c.spy.ownTx.Load() > 0 {
			return errors.New("step 1/4: the welcome job was inserted outside the handler's transaction, in one of its own " +
				"(with Insert, not InsertTx): the subscriber and the job can then commit one without the other, " +
				"and on the lesson's single SQLite connection, which the handler's transaction holds, Insert waits until the request gives up\n" +
				"hint: insert the job with the client's InsertTx, passing the handler's transaction, before Commit")
		}
		if status != http.StatusCreated {
			return fmt.Errorf("step 1/4: POST /subscribers for %s answered %d %s, want 201\n"+
				"hint: keep the starter's handler; add only the job's insert, and return its error as the starter does the others", email, status, body)
		}
		id, jobs, err := c.welcomeJobs(ctx, email)
		if err != nil {
			return err
		}
		switch {
		case id == 0:
			return fmt.Errorf("step 1/4: POST /subscribers answered 201, but %s is not in subscribers", email)
		case len(jobs) == 0:
			return fmt.Errorf("step 1/4: POST /subscribers answered 201 for %s, but no welcome job was queued: "+
				"a mail that is only a task in memory (bgtasks, a goroutine) dies with the process, and nothing remembers it was due\n"+
				"hint: in the handler, queue WelcomeArgs with the River client, in the transaction that stores the subscriber", email)
		case len(jobs) > 1:
			return fmt.Errorf("step 1/4: POST /subscribers queued %d welcome jobs for %s, want 1", len(jobs), email)
		case jobs[0].subscriber != id:
			return fmt.Errorf("step 1/4: the welcome job of %s names subscriber %d, but %s is subscriber %d\n"+
				"hint: queue the job after the subscriber's insert, with the id it returned", email, jobs[0].subscriber, email, id)
		}
		c.jobs[email] = jobs[0].id
	}
	return nil
}

// commitsTogether is step 2: when the job cannot be queued, the subscriber
// is not stored; when the subscriber cannot be stored, no job is queued.
func (c *checker) commitsTogether(ctx context.Context) error {
	status, _, err := subscribe(c.srv, "grace@example.com")
	if err != nil {
		return fmt.Errorf("step 2/4: POST /subscribers for grace@example.com got no response: %v", err)
	}
	id, _, err := c.welcomeJobs(ctx, "grace@example.com")
	if err != nil {
		return err
	}
	if id != 0 {
		return fmt.Errorf("step 2/4: the check made the insert of grace@example.com's job fail, yet she was saved as a subscriber (the handler answered %d): "+
			"she will never get her welcome mail, and nothing says it is owed\n"+
			"hint: when the job's insert fails, return before Commit: the deferred Rollback then undoes the subscriber too", status)
	}
	status, _, err = subscribe(c.srv, "ada@example.com")
	if err != nil {
		return fmt.Errorf("step 2/4: POST /subscribers for ada@example.com a second time got no response: %v", err)
	}
	if _, jobs, err := c.welcomeJobs(ctx, "ada@example.com"); err != nil {
		return err
	} else if len(jobs) > 1 {
		return fmt.Errorf("step 2/4: subscribing ada@example.com a second time failed (status %d), but a second welcome job was queued for it: "+
			"a welcome job was queued for a subscription that failed\n"+
			"hint: queue the job inside the transaction, after the subscriber's insert has succeeded", status)
	}
	return nil
}

// recordsOnce is step 3: the jobs are worked through a mail server that
// refuses the first attempts to each address and then drops the connection
// after its first delivery, while the ledger breaks each job's later
// attempts with its faults, one an attempt. Each welcome must still be
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
const faults = "the check fails, once each and one an attempt, the welcome's insert, the job's completion and the commit, " +
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

// keepsItsKey is step 4: every mail to one subscriber carried the same,
// non-empty idempotency key, and different subscribers' different keys.
func (c *checker) keepsItsKey(context.Context) error {
	ada, alan := c.mail.keys("ada@example.com"), c.mail.keys("alan@example.com")
	for _, keys := range [][]string{ada, alan} {
		if slices.Contains(keys, "") {
			return errors.New("step 4/4: a welcome was mailed with an empty idempotency key: the mail server cannot tell a repeat from a new mail\n" +
				"hint: make the key from what identifies this welcome, the same on every attempt")
		}
		if len(slices.Compact(slices.Clone(keys))) > 1 {
			return fmt.Errorf("step 4/4: one welcome was mailed %d times with a different idempotency key on each attempt (%s): "+
				"after a crash the mail server cannot tell the repeat from a new mail, and the customer gets both\n"+
				"hint: make the key from what stays the same across attempts: the job or the subscriber, not the attempt or the time", len(keys), strings.Join(keys, ", "))
		}
	}
	if len(ada) > 0 && len(alan) > 0 && ada[0] == alan[0] {
		return fmt.Errorf("step 4/4: ada's and alan's welcomes share the idempotency key %q: the mail server would drop the second as a repeat of the first\n"+
			"hint: the key must tell one subscriber's welcome from another's", ada[0])
	}
	return nil
}

// A welcomeJob is a welcome job's id, and the subscriber its args name.
type welcomeJob struct{ id, subscriber int64 }

// welcomeJobs returns the subscriber id of email (0 if there is none) and
// the welcome jobs that name it.
func (c *checker) welcomeJobs(ctx context.Context, email string) (int64, []welcomeJob, error) {
	var id int64
	err := c.db.QueryRowContext(ctx, `SELECT id FROM subscribers WHERE email = $1`, email).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, err
	}
	// River keeps args as SQLite's binary JSON: json_extract reads it.
	rows, err := c.db.QueryContext(ctx, `SELECT id, coalesce(json_extract(args, '$.subscriber_id'), 0) FROM river_job
		WHERE kind = 'welcome' AND json_extract(args, '$.email') = $1`, email)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var jobs []welcomeJob
	for rows.Next() {
		var j welcomeJob
		if err := rows.Scan(&j.id, &j.subscriber); err != nil {
			return 0, nil, err
		}
		jobs = append(jobs, j)
	}
	return id, jobs, rows.Err()
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

// fixedTime is a clock for River that always says the same time.
type fixedTime time.Time

func (t fixedTime) Now() time.Time { return time.Time(t) }

func (t fixedTime) NowOrNil() *time.Time {
	now := time.Time(t)
	return &now
}

// subscribe sends POST /subscribers for email.
func subscribe(srv *httptest.Server, email string) (int, string, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(srv.URL+"/subscribers", "application/json", strings.NewReader(`{"email":"`+email+`"}`))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}
