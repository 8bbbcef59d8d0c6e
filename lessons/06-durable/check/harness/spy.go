package harness

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// errOwnTx is what Insert gets in the check: on the lesson's one SQLite
// connection it would wait, for as long as the request lasts, for the
// connection that the handler's own transaction holds.
var errOwnTx = errors.New("the check refuses a job inserted in a transaction of its own")

// spyDriver is River's SQLite driver, except that it refuses every
// transaction River begins itself. An insert-only client begins one only
// for Insert and InsertMany: InsertTx uses the transaction it is given.
type spyDriver struct {
	*riversqlite.Driver
	ownTx atomic.Int64
}

func (d *spyDriver) GetExecutor() riverdriver.Executor {
	return spyExecutor{d.Driver.GetExecutor(), d}
}

type spyExecutor struct {
	riverdriver.Executor
	d *spyDriver
}

func (e spyExecutor) Begin(ctx context.Context) (riverdriver.ExecutorTx, error) {
	e.d.ownTx.Add(1)
	return nil, errOwnTx
}

// failInsert fails the insert of any job whose args mention one address, as
// a full disk or a lost connection would, after the handler has written its
// subscriber.
type failInsert struct {
	river.MiddlewareDefaults
	email string
}

var errInjected = errors.New("the check failed this insert on purpose")

func (f *failInsert) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	for _, p := range params {
		if strings.Contains(string(p.EncodedArgs), f.email) {
			return nil, errInjected
		}
	}
	return doInner(ctx)
}
