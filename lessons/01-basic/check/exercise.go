package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// What the check orders, and the lines the shop must note for it.
const (
	orderBody = `{"email":"ada@example.com","item":"The Go Programming Language"}`
	audited   = "ada@example.com ordered The Go Programming Language"
	confirmed = "confirmation sent to ada@example.com"
)

// patience is how long the check's client waits for an answer. The check
// runs on a fake clock, so waiting costs no real time: a response that waits
// for a held mail always runs out of it, and a correct one never comes
// near it.
const patience = 10 * time.Second

// errMailServer is what the mail server answers once the check makes it fail.
var errMailServer = errors.New("mail server: 451 try again later")

// A MailFunc is how the exercise's shop sends mail.
type MailFunc = func(ctx context.Context, to, body string) error

// Exercise checks the exercise. newApp(dir, send) must serve POST /orders,
// answer a valid order with 202 at once, then run two tasks in this order:
// "write audit", which notes the order in dir/audit.log, and "send
// confirmation", which mails the customer with send, then notes that too.
// A task's failure must be its error, and a refused order queues nothing.
//
// Exercise serves the app over in-memory connections and holds the mail
// while it looks at the response, on the fake clock of a testing/synctest
// bubble, which it must run in:
//
//	synctest.Test(t, func(t *testing.T) {
//		if err := check.Exercise(exercise.NewApp); err != nil {
//			t.Fatal(err)
//		}
//	})
//
// The error's first line is "step N/6: what is wrong"; its last line may be
// "hint: where to look".
func Exercise(newApp func(dir string, send MailFunc) http.Handler) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	auditLog := filepath.Join(dir, "audit.log")

	j := newJournal(auditLog)
	m := newMailer()
	g := &guard{j: j}
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)), bgtasks.WithObserver(g.observe))
	srv := servePipe(withRequestValue(runner.Middleware(g.wrap(newApp(dir, g.send(m.send))))), patience)
	defer func() {
		m.release() // first: a handler or task may be waiting for it
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		_ = runner.Shutdown(ctx)
	}()

	c := &checker{auditLog: auditLog, j: j, m: m, g: g, runner: runner, srv: srv}
	for i, step := range []func() error{c.answersAtOnce, c.queuesTwoTasks, c.eachTaskDoesItsJob, c.taskContext, c.failuresAreErrors, c.refusedOrderQueuesNothing} {
		if err := step(); err != nil {
			return err
		}
		if late := g.lateWrite(); late != "" {
			return fmt.Errorf("step %d/6: %s after the handler had returned: the response was sent, or being sent, "+
				"and a ResponseWriter may not be used once its handler has returned\n"+
				"hint: decide the response in the handler; a task reports its failure with the error it returns, to the server's log", i+1, late)
		}
	}
	return nil
}

// guard watches what the check cannot see from the runner's events: whether
// the handler is still running when a task is queued, what the app does with
// the ResponseWriter once its handler has returned, and the contexts the
// mail is sent with.
type guard struct {
	j        *journal
	inflight atomic.Int32 // handlers running now

	mu            sync.Mutex
	late          string // who first used a ResponseWriter late, and how
	queuedLate    string // the first task queued with no handler, and no task of its request, running
	uncancellable bool   // a mail was sent with a context whose Done is nil
}

// wrap serves next with a ResponseWriter that notes any use once next has
// returned. It sits inside the runner's middleware: it has noted the end of
// the handler before the request's first task starts.
func (g *guard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw := &guardedWriter{ResponseWriter: w, g: g}
		g.inflight.Add(1)
		defer g.inflight.Add(-1)
		defer gw.done.Store(true)
		next.ServeHTTP(gw, r)
	})
}

func (g *guard) observe(e bgtasks.Event) {
	if e.Kind == bgtasks.Queued && g.inflight.Load() == 0 && !g.requestRunning(e.Request) {
		g.mu.Lock()
		if g.queuedLate == "" {
			g.queuedLate = e.Task
		}
		g.mu.Unlock()
	}
	g.j.observe(e)
}

// requestRunning reports whether a task of request is running.
func (g *guard) requestRunning(request uint64) bool {
	g.j.mu.Lock()
	defer g.j.mu.Unlock()
	for id := range g.j.running {
		if id[0] == request {
			return true
		}
	}
	return false
}

func (g *guard) send(send MailFunc) MailFunc {
	return func(ctx context.Context, to, body string) error {
		if ctx.Done() == nil {
			g.mu.Lock()
			g.uncancellable = true
			g.mu.Unlock()
		}
		return send(ctx, to, body)
	}
}

func (g *guard) noteLate(method string) {
	who := "the app"
	if running := g.j.runningTasks(); len(running) > 0 {
		who = fmt.Sprintf("the task %q", running[0])
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.late == "" {
		g.late = fmt.Sprintf("%s called w.%s()", who, method)
	}
}

func (g *guard) lateWrite() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.late
}

// guardedWriter is the ResponseWriter the app is handed. Once its handler
// has returned, it notes every use and passes none on.
type guardedWriter struct {
	http.ResponseWriter
	g    *guard
	done atomic.Bool
}

func (w *guardedWriter) Header() http.Header {
	if w.done.Load() {
		w.g.noteLate("Header")
		return http.Header{}
	}
	return w.ResponseWriter.Header()
}

func (w *guardedWriter) WriteHeader(status int) {
	if w.done.Load() {
		w.g.noteLate("WriteHeader")
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *guardedWriter) Write(b []byte) (int, error) {
	if w.done.Load() {
		w.g.noteLate("Write")
		return 0, http.ErrHandlerTimeout
	}
	return w.ResponseWriter.Write(b)
}

func (w *guardedWriter) Flush() {
	if w.done.Load() {
		w.g.noteLate("Flush")
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// checker holds what the steps share. They run in order, and each relies
// on the state the previous ones left.
type checker struct {
	auditLog string
	j        *journal
	m        *mailer
	g        *guard
	runner   *bgtasks.Runner
	srv      *pipeServer
}

// Step 1: the client has its whole answer while the mail is still held.
func (c *checker) answersAtOnce() error {
	start := time.Now()
	status, body, err := post(c.srv.client, orderBody)
	took := time.Since(start)
	held := len(c.m.sends()) > 0
	switch {
	case err != nil && held:
		return fmt.Errorf("step 1/6: POST /orders got no answer within %s, while the confirmation mail was still being sent: the client is waiting for the mail\n"+
			"hint: the client only needs its answer; work that can happen later belongs in a task, which runs after the response", patience)
	case err != nil:
		return fmt.Errorf("step 1/6: POST /orders got no answer: %v\n"+
			"hint: the handler should answer at once and leave the audit line and the mail to tasks", err)
	case took > 0:
		return fmt.Errorf("step 1/6: POST /orders took %s to answer; the client should not wait at all\n"+
			"hint: nothing in the handler should sleep or wait: a task runs after the response by itself", took)
	case status != http.StatusAccepted:
		return fmt.Errorf("step 1/6: POST /orders answered %s, want 202 Accepted\n"+
			"hint: keep the starter's checks and its 202 reply; only the two steps in the middle should move", answer(status, body))
	}
	return nil
}

// Step 2, with the mail still held: two tasks, named and in order.
func (c *checker) queuesTwoTasks() error {
	// Every goroutine is now blocked: the tasks have run as far as they can.
	synctest.Wait()
	got := names(c.j.since(0), bgtasks.Queued)
	want := []string{"write audit", "send confirmation"}
	c.g.mu.Lock()
	queuedLate := c.g.queuedLate
	c.g.mu.Unlock()
	switch {
	case queuedLate != "":
		return fmt.Errorf("step 2/6: the task %q was queued after the handler had returned, from a goroutine of its own: "+
			"then nothing says when the order's tasks are queued, in what order, or whether they are there yet when someone waits for them\n"+
			"hint: queue the tasks from the handler itself, before it returns", queuedLate)
	case len(got) == 0:
		return errors.New("step 2/6: POST /orders answered 202 but queued no task: nothing notes the order or mails the customer\n" +
			"hint: a task is queued on the request's task queue, which the request's context carries")
	case !sameSet(got, want):
		return fmt.Errorf("step 2/6: POST /orders queued %s; want two tasks, %q and %q\n"+
			"hint: a task's name is what the log shows when it fails: name each after its one job", quoteAll(got), want[0], want[1])
	case !slices.Equal(got, want):
		return fmt.Errorf("step 2/6: POST /orders queued %s: the tasks run in the order added, so audit.log would note the confirmation before the order\n"+
			"hint: queue them in the order they should run", quoteAll(got))
	}
	return nil
}

// Step 3, with the mail still held: "write audit" wrote the order's line,
// and "send confirmation" is the one sending the mail.
func (c *checker) eachTaskDoesItsJob() error {
	// Let the fake clock run on while the mail is held, as a slow mail
	// server keeps it: a task that stops waiting for its mail after any
	// timeout shorter than the check's patience has ended by now, and one
	// that waits for the mail has not. The fake clock makes this cost no
	// real time and come out the same on every run.
	time.Sleep(patience)
	synctest.Wait()
	recs, running, sends := c.j.since(0), c.j.runningTasks(), c.m.sends()
	mailing := pending(sends) > 0
	_, confirmEnded := find(recs, "send confirmation", bgtasks.Completed, bgtasks.Failed)
	switch {
	case mailing && len(running) == 0 && confirmEnded:
		return errors.New("step 3/6: the confirmation is being mailed, but no task is running: the task \"send confirmation\" returned before its mail did, " +
			"leaving the mail on a goroutine of its own, which nothing waits for at shutdown, and whose failure nobody hears of\n" +
			"hint: let the task do the work itself, and return only once it is done")
	case mailing && len(running) == 0:
		return errors.New("step 3/6: the confirmation is being mailed, but no task is running: it was started outside the tasks, on a goroutine of its own, " +
			"which nothing waits for at shutdown and nothing logs if it fails\n" +
			"hint: let the task do the work itself, and return only once it is done")
	case mailing && !slices.Contains(running, "send confirmation"):
		return fmt.Errorf("step 3/6: the confirmation is being mailed by the task %q; that is the job of \"send confirmation\"\n"+
			"hint: one job per task, so that each succeeds, fails and is logged on its own", running[0])
	case len(sends) == 0:
		return errors.New("step 3/6: the task \"send confirmation\" ran, but no confirmation was mailed\n" +
			"hint: the starter's sendConfirmation does the mailing; the task should call it")
	case len(sends) > 1:
		return fmt.Errorf("step 3/6: one order sent %d confirmation mails; want one\n"+
			"hint: the mailing belongs to the task \"send confirmation\" alone", len(sends))
	}

	started, _ := find(recs, "write audit", bgtasks.Started)
	ended, ok := find(recs, "write audit", bgtasks.Completed, bgtasks.Failed)
	switch {
	case strings.Contains(started.audit, audited):
		return errors.New("step 3/6: audit.log already held the order when the task \"write audit\" started: the handler wrote it, and the client waited for that\n" +
			"hint: move the work into the task, rather than leaving it in the handler beside the task")
	case !ok:
		return errors.New("step 3/6: the task \"write audit\" had not ended by the time the confirmation was mailed\n" +
			"hint: a task returns once its job is done, and only then does the next one start")
	case ended.Kind == bgtasks.Failed:
		return fmt.Errorf("step 3/6: the task \"write audit\" failed: %v\n"+
			"hint: the starter's writeAudit notes the order in audit.log; that call is the whole of this task's job", ended.Err)
	case !strings.Contains(ended.audit, audited):
		return fmt.Errorf("step 3/6: the task \"write audit\" ended without noting the order in audit.log; want the line %q\n"+
			"hint: the starter's writeAudit notes the order; that call is the whole of this task's job", audited)
	}
	return nil
}

// Step 4: released, the mail goes out with the task's context: the
// request's values, not its cancellation.
func (c *checker) taskContext() error {
	c.m.release()
	c.runner.Wait()
	send := c.m.sends()[0]
	switch {
	case !send.hasValue:
		return errors.New("step 4/6: the confirmation was mailed with a context that has lost the request's values, such as its request ID: " +
			"a fresh context.Background() or context.TODO()?\n" +
			"hint: each task is handed a context of its own, which keeps the request's values; pass that one on")
	case errors.Is(send.err, context.Canceled):
		return errors.New("step 4/6: the confirmation failed with \"context canceled\": it was mailed with the request's context, r.Context(), " +
			"which ends as soon as the response is sent\n" +
			"hint: each task is handed a context of its own, which outlives the response; pass that one on")
	case send.err != nil:
		return fmt.Errorf("step 4/6: the confirmation failed: %v\n"+
			"hint: each task is handed a context of its own; pass that one on", send.err)
	}
	c.g.mu.Lock()
	uncancellable := c.g.uncancellable
	c.g.mu.Unlock()
	if uncancellable {
		return errors.New("step 4/6: the confirmation was mailed with a context that nothing can cancel, context.WithoutCancel's: " +
			"a shutdown whose deadline has passed could not stop it\n" +
			"hint: the task's own context keeps the request's values and drops its cancellation already, yet ends at shutdown; pass that one on, as it is")
	}
	lines, err := readLines(c.auditLog)
	if want := []string{audited, confirmed}; err != nil || !slices.Equal(lines, want) {
		return fmt.Errorf("step 4/6: after the tasks, audit.log holds %s; want %s\n"+
			"hint: each task should only call the starter's function for its job", describeLines(lines, err), quoteAll(want))
	}
	return nil
}

// Step 5: with audit.log unwritable and the mail server refusing, both
// tasks fail, each with its own error, and the client still gets its 202.
func (c *checker) failuresAreErrors() error {
	if err := os.Remove(c.auditLog); err != nil {
		return err
	}
	if err := os.Mkdir(c.auditLog, 0o755); err != nil { // a folder cannot be appended to
		return err
	}
	c.m.fail(errMailServer)
	mark, sent := c.j.mark(), len(c.m.sends())

	status, body, err := post(c.srv.client, orderBody)
	if err != nil || status != http.StatusAccepted {
		return fmt.Errorf("step 5/6: with the mail server down, POST /orders answered %s (%v); want 202: the client should not hear of the tasks' failures\n"+
			"hint: the answer cannot depend on work that runs after it", answer(status, body), err)
	}
	c.runner.Wait()
	recs := c.j.since(mark)
	audit, auditEnded := find(recs, "write audit", bgtasks.Completed, bgtasks.Failed)
	confirm, confirmEnded := find(recs, "send confirmation", bgtasks.Completed, bgtasks.Failed)
	switch {
	case auditEnded && audit.Kind == bgtasks.Failed && !confirmEnded && len(c.m.sends()) == sent:
		return errors.New("step 5/6: when audit.log could not be written, no confirmation was even tried: the two jobs do not depend on each other\n" +
			"hint: keep each job in its own task, and let a failure end only its own task")
	case !auditEnded || !confirmEnded:
		ran := quoteAll(names(recs, bgtasks.Started))
		if len(names(recs, bgtasks.Started)) == 0 {
			ran = "none"
		}
		return fmt.Errorf("step 5/6: of the second order's tasks, %s ran; want \"write audit\" and \"send confirmation\", as for the first\n"+
			"hint: every valid order queues the same two tasks", ran)
	case audit.Kind == bgtasks.Completed:
		return errors.New("step 5/6: audit.log could not be written, yet the task \"write audit\" reported success: the error was dropped, and no log says the order is missing\n" +
			"hint: a task's error is how its failure reaches the server's log; give it back")
	case panicked(audit.Err) || panicked(confirm.Err):
		task, err := "write audit", audit.Err
		if !panicked(err) {
			task, err = "send confirmation", confirm.Err
		}
		return fmt.Errorf("step 5/6: the task %q panicked when its job failed (%v): the runner recovers it, but a panic says the code is broken, not that audit.log or the mail server is down\n"+
			"hint: a task reports a failure by returning it", task, err)
	case !hidesNothing(audit.Err, c.auditLog):
		return fmt.Errorf("step 5/6: the task \"write audit\" failed with %q, which hides why audit.log could not be written\n"+
			"hint: give back the error you got, so that the log says what went wrong", errText(audit.Err))
	case len(c.m.sends()) == sent:
		return errors.New("step 5/6: when audit.log could not be written, no confirmation was even tried: the two jobs do not depend on each other\n" +
			"hint: keep each job in its own task, and let a failure end only its own task")
	case confirm.Kind == bgtasks.Completed:
		return errors.New("step 5/6: the mail server refused the confirmation, yet the task \"send confirmation\" reported success: the error was dropped\n" +
			"hint: a task's error is how its failure reaches the server's log; give it back")
	case !errors.Is(confirm.Err, errMailServer) && strings.Contains(errText(confirm.Err), errMailServer.Error()):
		return fmt.Errorf("step 5/6: the task \"send confirmation\" failed with %q: it says what the mail server said, but the error chain is broken, "+
			"so errors.Is and errors.As cannot find the mail server's error in it\n"+
			"hint: wrap the error with %%w, not %%v, so that it stays inside the one you return", errText(confirm.Err))
	case !errors.Is(confirm.Err, errMailServer):
		return fmt.Errorf("step 5/6: the task \"send confirmation\" failed with %q, which hides what the mail server said (%q)\n"+
			"hint: give back the error you got, so that the log says what went wrong", errText(confirm.Err), errMailServer)
	}
	return nil
}

// panicked reports whether err is a task's panic.
func panicked(err error) bool {
	var pe *bgtasks.PanicError
	return errors.As(err, &pe)
}

// hidesNothing reports whether err, a failed "write audit", wraps or says
// why auditLog cannot be opened for appending.
func hidesNothing(err error, auditLog string) bool {
	f, openErr := os.OpenFile(auditLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if openErr == nil { // not the folder step 5 made: nothing to compare with
		f.Close()
		return true
	}
	var pe *fs.PathError
	if !errors.As(openErr, &pe) {
		return true
	}
	return errors.Is(err, pe.Err) || strings.Contains(errText(err), pe.Err.Error())
}

// Step 6: a refused order costs nothing.
func (c *checker) refusedOrderQueuesNothing() error {
	mark := c.j.mark()
	status, body, err := post(c.srv.client, `{"email":"ada.example.com","item":"The Go Programming Language"}`)
	if err != nil {
		return fmt.Errorf("step 6/6: POST /orders with a bad email got no answer: %v\n"+
			"hint: keep the starter's checks of the order, and their replies", err)
	}
	c.runner.Wait()
	if status != http.StatusBadRequest {
		return fmt.Errorf("step 6/6: POST /orders with the email \"ada.example.com\" answered %s, want 400\n"+
			"hint: keep the starter's checks of the order before anything else", answer(status, body))
	}
	if n := len(names(c.j.since(mark), bgtasks.Queued)); n > 0 {
		return fmt.Errorf("step 6/6: POST /orders with a bad email answered 400 but still queued %d task(s): a refused order would be noted and confirmed\n"+
			"hint: queue the tasks only once the order has passed every check", n)
	}
	return nil
}
