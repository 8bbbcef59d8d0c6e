package harness

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"modernc.org/sqlite"
)

// A fault is what the check breaks in one attempt of a job, in this order,
// one fault per attempt, so that a worker that ignores one fault meets no
// other in the same attempt to hide it.
type fault int

const (
	failRecord   fault = iota // the welcome's INSERT fails, as on a full disk
	failComplete              // the job's completion fails
	loseCommit                // the commit that completes the job is rolled back, as when the connection drops
	crashAfter                // Work returns nil, and the process dies before River hears of it
	noFault
)

var (
	errRecordFailed   = errors.New("the check failed this insert on purpose, once, as a full disk would")
	errCompleteFailed = errors.New("the check failed this job's completion on purpose, once, as a lost connection would")
	errCrash          = errors.New("the check made this attempt fail after Work succeeded, once, as a crash there would")
)

// A ledger watches, from inside SQLite, what each transaction on the
// check's database writes: the welcomes it records and the jobs it
// completes. It breaks each job's attempts with the faults above, and
// remembers every welcome committed by a transaction that did not also
// complete its job. The lesson's database has one connection, so its
// transactions come one at a time and the ledger follows one.
type ledger struct {
	river.MiddlewareDefaults
	mu        sync.Mutex
	next      map[int64]fault // the next fault for each job
	running   map[int64]bool  // jobs whose Work runs now, and whether it met a fault
	recorded  []int64         // jobs whose welcome the open transaction inserted
	completed []int64         // jobs the open transaction completed
	apart     map[int64]bool  // jobs whose welcome was committed without their completion
}

// watch is the SQL that reports each write the ledger follows.
const watch = `CREATE TRIGGER check_recorded AFTER INSERT ON welcomes
BEGIN SELECT check_saw('recorded', NEW.job_id); END;
CREATE TRIGGER check_completed AFTER UPDATE OF state ON river_job
WHEN NEW.state = 'completed' AND OLD.state = 'running'
BEGIN SELECT check_saw('completed', NEW.id); END;`

// open opens the SQLite database at dsn through a driver of the check's
// own, so that the ledger's function and hooks reach no other database.
func (l *ledger) open(dsn string) *sql.DB {
	l.next, l.running, l.apart = map[int64]fault{}, map[int64]bool{}, map[int64]bool{}
	drv := &sqlite.Driver{}
	drv.MustRegisterScalarFunction("check_saw", 2, l.saw)
	drv.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, _ string) error {
		hooks, ok := conn.(sqlite.HookRegisterer)
		if !ok {
			return errors.New("the SQLite driver no longer offers commit hooks")
		}
		hooks.RegisterCommitHook(l.commit)
		hooks.RegisterRollbackHook(l.rollback)
		return nil
	})
	return sql.OpenDB(connector{drv, dsn})
}

// Work is River middleware around every attempt: faults are injected only
// while the job's Work runs, never into River's own bookkeeping after it.
func (l *ledger) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	l.mu.Lock()
	l.running[job.ID] = false
	l.mu.Unlock()
	err := doInner(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	met := l.running[job.ID]
	delete(l.running, job.ID)
	if err == nil && !met && l.next[job.ID] < noFault {
		// Whatever faults remain, a crash now stands for them: a worker
		// whose success was already committed has nothing to repeat.
		l.next[job.ID] = noFault
		return errCrash
	}
	return err
}

// inject reports whether f is due for job, in an attempt that has met no
// fault yet, and if so counts it as met.
func (l *ledger) inject(job int64, f fault) bool {
	met, running := l.running[job]
	if !running || met || l.next[job] != f {
		return false
	}
	l.running[job] = true
	l.next[job]++
	return true
}

// saw is check_saw(what, job): the open transaction recorded the welcome
// of job, or completed it. An error fails the statement.
func (l *ledger) saw(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	what, _ := args[0].(string)
	job, ok := args[1].(int64)
	if !ok {
		return nil, fmt.Errorf("check_saw: job id %v is not an integer", args[1])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case what == "recorded" && l.inject(job, failRecord):
		return nil, errRecordFailed
	case what == "recorded":
		l.recorded = append(l.recorded, job)
	case l.inject(job, failComplete):
		return nil, errCompleteFailed
	default:
		l.completed = append(l.completed, job)
	}
	return nil, nil
}

// commit is SQLite's commit hook: a non-zero result turns the commit into
// a rollback.
func (l *ledger) commit() int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.forget()
	for _, job := range l.completed {
		if l.inject(job, loseCommit) {
			return 1
		}
	}
	for _, job := range l.recorded {
		if !slices.Contains(l.completed, job) {
			l.apart[job] = true
		}
	}
	return 0
}

func (l *ledger) rollback() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forget()
}

func (l *ledger) forget() { l.recorded, l.completed = nil, nil }

// recordedApart reports whether the welcome of job was committed by a
// transaction that did not complete job.
func (l *ledger) recordedApart(job int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.apart[job]
}

// connector opens connections to dsn with drv, for sql.OpenDB.
type connector struct {
	drv *sqlite.Driver
	dsn string
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }
