package check

import (
	"context"
	"os"
	"slices"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// record is one event of the runner, with what audit.log held at that
// moment for the events of a task named "write audit": the check tells from
// them whether that task, and nothing else, wrote the order's line.
type record struct {
	bgtasks.Event
	audit string
}

// journal keeps every event the runner reports. Its observe runs on the
// goroutine of the task it reports, just before the task starts and just
// after it returns, so a snapshot taken there is exact.
type journal struct {
	auditLog string

	mu      sync.Mutex
	records []record
	running map[[2]uint64]string // request and index of each running task -> its name
}

func newJournal(auditLog string) *journal {
	return &journal{auditLog: auditLog, running: map[[2]uint64]string{}}
}

func (j *journal) observe(e bgtasks.Event) {
	rec := record{Event: e}
	if e.Task == "write audit" {
		b, _ := os.ReadFile(j.auditLog)
		rec.audit = string(b)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.records = append(j.records, rec)
	id := [2]uint64{e.Request, uint64(e.Index)}
	switch e.Kind {
	case bgtasks.Started:
		j.running[id] = e.Task
	case bgtasks.Completed, bgtasks.Failed, bgtasks.Abandoned:
		delete(j.running, id)
	}
}

// mark returns how many events there are so far, for since.
func (j *journal) mark() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.records)
}

// since returns the events after mark, in order.
func (j *journal) since(mark int) []record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.records[mark:])
}

// runningTasks returns the names of the tasks running now.
func (j *journal) runningTasks() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var names []string
	for _, name := range j.running {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// names returns the names of recs of kind k, in order.
func names(recs []record, k bgtasks.EventKind) []string {
	var out []string
	for _, r := range recs {
		if r.Kind == k {
			out = append(out, r.Task)
		}
	}
	return out
}

// find returns the first of recs for task of one of kinds.
func find(recs []record, task string, kinds ...bgtasks.EventKind) (record, bool) {
	for _, r := range recs {
		if r.Task == task && slices.Contains(kinds, r.Kind) {
			return r, true
		}
	}
	return record{}, false
}

// requestKey marks the contexts of the check's requests, as a request ID
// from a middleware would: a task's context must still carry it.
type requestKey struct{}

// mailer is the mail server the check gives the shop. While held, a send
// waits for release, as a slow server would keep a task waiting; once
// failing, every send fails at once.
type mailer struct {
	mu      sync.Mutex
	held    chan struct{}
	failing error
	calls   []*mailCall
}

// A mailCall is one send, as the mail server saw it.
type mailCall struct {
	to       string
	hasValue bool  // its context carried the check's request value
	ended    bool  // the send has returned
	err      error // what it returned
}

func newMailer() *mailer { return &mailer{held: make(chan struct{})} }

func (m *mailer) send(ctx context.Context, to, body string) error {
	m.mu.Lock()
	call := &mailCall{to: to, hasValue: ctx.Value(requestKey{}) != nil}
	m.calls = append(m.calls, call)
	held, failing := m.held, m.failing
	m.mu.Unlock()

	err := failing
	if err == nil {
		<-held
		// As a real client would, give up on a context that has ended.
		err = ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	call.ended, call.err = true, err
	return err
}

// release lets every held send, now and later, go through.
func (m *mailer) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.held:
	default:
		close(m.held)
	}
}

// fail makes every later send fail at once with err.
func (m *mailer) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failing = err
}

// sends returns a copy of every send so far.
func (m *mailer) sends() []mailCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]mailCall, len(m.calls))
	for i, c := range m.calls {
		out[i] = *c
	}
	return out
}

// pending counts the sends that have not returned.
func pending(sends []mailCall) int {
	n := 0
	for _, s := range sends {
		if !s.ended {
			n++
		}
	}
	return n
}
