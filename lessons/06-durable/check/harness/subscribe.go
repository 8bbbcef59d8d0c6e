package harness

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

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
