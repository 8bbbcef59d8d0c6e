package harness

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sync"

	"modernc.org/sqlite"
)

// A ledger watches, from inside SQLite, what each transaction on the
// check's database writes: the welcomes it records and the jobs it
// completes. It turns the first commit that completes each job into a
// rollback, as a crash just before that commit would, and remembers every
// welcome committed by a transaction that did not also complete its job.
// The lesson's database has one connection, so its transactions come one
// at a time and the ledger needs to follow only one.
type ledger struct {
	mu        sync.Mutex
	recorded  []int64        // jobs whose welcome the open transaction inserted
	completed []int64        // jobs the open transaction completed
	lost      map[int64]bool // jobs whose first completing commit was rolled back
	apart     map[int64]bool // jobs whose welcome was committed without their completion
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
	l.lost, l.apart = map[int64]bool{}, map[int64]bool{}
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

// saw is check_saw(what, job): the open transaction recorded the welcome
// of job, or completed it.
func (l *ledger) saw(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	what, _ := args[0].(string)
	job, ok := args[1].(int64)
	if !ok {
		return nil, fmt.Errorf("check_saw: job id %v is not an integer", args[1])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if what == "recorded" {
		l.recorded = append(l.recorded, job)
	} else {
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
		if !l.lost[job] {
			l.lost[job] = true
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
