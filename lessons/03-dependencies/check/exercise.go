package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A Newsletter is what the exercise builds: a use case, Subscribe, that
// returns events of type E, and an HTTP side that queues a task for each.
type Newsletter[E any] interface {
	Subscribe(ctx context.Context, email string) ([]E, error)
	Handler() http.Handler
}

// Exercise checks the exercise. newNewsletter(dir) must return a newsletter
// whose Subscribe works with any context, queues nothing, mails nothing,
// returns one event naming the address and holds the newsletter's mutex
// while it uses the list, and whose POST /subscribers queues one "send
// welcome" task per event, which appends "welcome mail to EMAIL" to
// dir/outbox.txt with the task's context and fails if that cannot be done.
//
// It serves POST /subscribers through a runner, in process, and holds the
// request's tasks until it has looked at what the handler did alone, on the
// fake clock of a testing/synctest bubble, which it must run in:
//
//	synctest.Test(t, func(t *testing.T) {
//		if err := check.Exercise(exercise.New); err != nil {
//			t.Fatal(err)
//		}
//	})
//
// The error's first line is "step N/5: what is wrong"; its last line may be
// "hint: where to look".
func Exercise[N Newsletter[E], E any](newNewsletter func(dir string) N) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n := newNewsletter(dir)
	outbox := filepath.Join(dir, "outbox.txt")

	j := &journal{}
	g := &guard{j: j, running: map[uint64]int{}}
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)), bgtasks.WithObserver(g.observe))
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = runner.Shutdown(ctx)
	}()
	h := &holder{release: make(chan struct{})}
	defer h.let()
	c := &checker[E]{n: n, outbox: outbox, j: j, g: g, runner: runner, handler: runner.Middleware(h.hold(g.wrap(n.Handler()))), h: h}
	for i, step := range []func() error{c.worksOutsideHTTP, c.returnsTheEvent, c.queuesNothingItself, c.handlerQueuesTheMail, c.failuresAndRefusals} {
		if err := step(); err != nil {
			return err
		}
		if late := g.lateWrite(); late != "" {
			return fmt.Errorf("step %d/5: %s after the handler had returned: the response was sent, or being sent, "+
				"and a ResponseWriter may not be used once its handler has returned\n"+
				"hint: decide the response in the handler; a task reports its failure with the error it returns, to the server's log", i+1, late)
		}
	}
	return nil
}

// guard watches what the runner's events do not show: whether the
// newsletter's handler is still running when a task is queued, and what is
// done with its ResponseWriter once it has returned.
type guard struct {
	j        *journal
	inflight atomic.Int32 // the newsletter's handlers running now

	mu         sync.Mutex
	running    map[uint64]int // request -> its tasks running now, the holder's left out
	queuedLate []string       // tasks queued with no handler, and no task of their request, running
	late       string         // who first used a ResponseWriter late, and how
}

// wrap serves next with a ResponseWriter that notes any use once next has
// returned. It sits inside the holder, so the handler's end is noted before
// any of the request's tasks start.
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
	if e.Task != holdTask {
		g.mu.Lock()
		switch e.Kind {
		case bgtasks.Queued:
			if g.inflight.Load() == 0 && g.running[e.Request] == 0 {
				g.queuedLate = append(g.queuedLate, e.Task)
			}
		case bgtasks.Started:
			g.running[e.Request]++
		case bgtasks.Completed, bgtasks.Failed:
			g.running[e.Request]--
		}
		g.mu.Unlock()
	}
	g.j.observe(e)
}

// lateQueued returns the tasks queued late, after the first mark of them.
func (g *guard) lateQueued(mark int) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.queuedLate[mark:]...)
}

func (g *guard) lateMark() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queuedLate)
}

func (g *guard) noteLate(method string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.late == "" {
		g.late = fmt.Sprintf("a task called w.%s()", method)
	}
}

func (g *guard) lateWrite() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.late
}

// guardedWriter is the ResponseWriter the newsletter is handed. Once its
// handler has returned, it notes every use and passes none on.
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

// checker holds what the steps share; they run in order.
type checker[E any] struct {
	n       Newsletter[E]
	outbox  string
	j       *journal
	g       *guard
	runner  *bgtasks.Runner
	handler http.Handler // the newsletter's, behind the runner and the holder
	h       *holder

	quietAtShutdown bool // the task returned nil in stopsAtShutdown, its mail unsent
}

// Step 1: a command-line tool calls the use case with context.Background().
func (c *checker[E]) worksOutsideHTTP() error {
	_, _, panicked := subscribe(c.n, context.Background(), "ada@example.com")
	if panicked != nil {
		return fmt.Errorf("step 1/5: Subscribe panicked when called outside an HTTP request, with context.Background(): "+
			"a use case that reaches for the request's task queue cannot be used by a test, a command-line tool or a queue consumer\n"+
			"  the panic: %s\n"+
			"hint: the use case should only say what must follow, as the events it returns; queueing is the handler's job", firstLine(panicked))
	}
	return nil
}

// Step 2: it returns one event for the address, mails nothing itself,
// still refuses a malformed address, and still guards the list with its
// lock.
func (c *checker[E]) returnsTheEvent() error {
	// Step 1 subscribed ada already: a second address shows the events.
	events, err, _ := subscribe(c.n, context.Background(), "alan@example.com")
	if err != nil {
		return fmt.Errorf("step 2/5: Subscribe(ctx, \"alan@example.com\") returned an error: %v\n"+
			"hint: keep the starter's checks; only the task should move", err)
	}
	if len(events) != 1 || !strings.Contains(fmt.Sprintf("%+v", events[0]), "alan@example.com") {
		return fmt.Errorf("step 2/5: Subscribe(ctx, \"alan@example.com\") returned the events %+v; want one Welcome for alan@example.com\n"+
			"hint: the event says what must follow, and for whom; its caller decides how", events)
	}
	synctest.Wait() // a mail Subscribe sent on a goroutine of its own has been written by now
	if mailed := readOutbox(c.outbox); mailed != "" {
		return fmt.Errorf("step 2/5: Subscribe mailed the subscriber itself (outbox.txt holds %q): the use case should only report the event\n"+
			"hint: sending is the caller's job, in a task the handler queues", mailed)
	}
	if events, err, _ := subscribe(c.n, context.Background(), "alan.example.com"); err == nil || len(events) > 0 {
		return fmt.Errorf("step 2/5: Subscribe(ctx, \"alan.example.com\") returned %+v and no error; a malformed address must be refused\n"+
			"hint: keep the starter's checks at the top of Subscribe", events)
	}
	return c.guardsTheList()
}

// Step 3: called with a context that has a task queue, but not by the
// handler, the use case still queues nothing: a recover around
// bgtasks.From would pass step 1 and still queue from the use case.
func (c *checker[E]) queuesNothingItself() error {
	mark := c.j.mark()
	c.runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, _ = subscribe(c.n, r.Context(), "edsger@example.com")
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/import", nil))
	c.runner.Wait()
	if queued := c.j.since(mark, bgtasks.Queued); len(queued) > 0 {
		return fmt.Errorf("step 3/5: called with a request's context, Subscribe queued %s itself: the use case still reaches for the task queue "+
			"whenever its context carries one\n"+
			"hint: take every trace of the queue out of the use case; a recover around it only hides it", quoteAll(queued))
	}
	return nil
}

// Step 4: POST /subscribers answers 201 and queues one "send welcome",
// which alone mails, with a context that outlives the request and still
// ends at shutdown.
func (c *checker[E]) handlerQueuesTheMail() error {
	mark, lateMark := c.j.mark(), c.g.lateMark()
	status, body := c.post(`{"email":"grace@example.com"}`)
	if status != http.StatusCreated {
		return fmt.Errorf("step 4/5: POST /subscribers answered %d %s, want 201\n"+
			"hint: keep the starter's handler; only the loop over the events is missing", status, body)
	}
	// The holder keeps the request's tasks waiting; whatever else the
	// handler started has now run as far as it can.
	synctest.Wait()
	if mailed := readOutbox(c.outbox); mailed != "" {
		return fmt.Errorf("step 4/5: outbox.txt held %q before the request's tasks ran: the mail went out in the handler, or on a goroutine of its own\n"+
			"hint: the handler only queues; the task does the mailing, after the response", mailed)
	}
	queued := c.j.since(mark, bgtasks.Queued)
	switch {
	case len(c.g.lateQueued(lateMark)) > 0:
		return fmt.Errorf("step 4/5: the task %q was queued after the handler had returned, from a goroutine of its own: "+
			"then nothing says when it is queued, or whether it is there yet when someone waits for the request's tasks\n"+
			"hint: queue the tasks from the handler itself, before it returns", c.g.lateQueued(lateMark)[0])
	case len(queued) == 0:
		return errors.New("step 4/5: POST /subscribers queued no task: grace@example.com never gets her welcome mail\n" +
			"hint: the handler is the HTTP layer: it turns each event the use case returned into a task on the request's queue")
	case len(queued) != 1 || queued[0] != "send welcome":
		return fmt.Errorf("step 4/5: POST /subscribers queued %s; want one task named \"send welcome\"\n"+
			"hint: a task's name is what the log shows when it fails: name it after its job, the same for every subscriber", quoteAll(queued))
	}
	c.h.let()
	c.runner.Wait()
	ended := c.j.ended(mark, "send welcome")
	switch {
	case errors.Is(ended.Err, context.Canceled):
		return errors.New("step 4/5: the task \"send welcome\" failed with \"context canceled\": it mailed with the request's context, r.Context(), " +
			"which ends as soon as the response is sent\n" +
			"hint: each task is handed a context of its own, which outlives the response; pass that one on")
	case ended.Err != nil:
		return fmt.Errorf("step 4/5: the task \"send welcome\" failed: %v\n"+
			"hint: the task should mail the address its event names, with the starter's sendWelcome and the ctx it is handed", ended.Err)
	}
	if mailed := readOutbox(c.outbox); mailed != "welcome mail to grace@example.com\n" {
		return fmt.Errorf("step 4/5: after the task, outbox.txt holds %q; want \"welcome mail to grace@example.com\\n\"\n"+
			"hint: the task should mail the address its event names, with the starter's sendWelcome", mailed)
	}
	return c.stopsAtShutdown()
}

// Step 5: a mail that cannot be written fails its task, with the mail's
// own error; so does one that gave up at shutdown, in step 4; and a
// refused subscription queues nothing.
func (c *checker[E]) failuresAndRefusals() error {
	if err := os.Remove(c.outbox); err != nil {
		return err
	}
	if err := os.Mkdir(c.outbox, 0o755); err != nil { // a folder cannot be appended to
		return err
	}
	mark := c.j.mark()
	if status, body := c.post(`{"email":"barbara@example.com"}`); status != http.StatusCreated {
		return fmt.Errorf("step 5/5: POST /subscribers answered %d %s, want 201\n"+
			"hint: the answer cannot depend on work that runs after it", status, body)
	}
	c.runner.Wait()
	var pe *bgtasks.PanicError
	switch ended := c.j.ended(mark, "send welcome"); {
	case ended.Task == "":
		return fmt.Errorf("step 5/5: POST /subscribers for barbara@example.com answered 201, but no task \"send welcome\" had run by the time the request's tasks were done (it queued %s)\n"+
			"hint: every new subscriber gets the same task as grace@example.com did", quoteAll(c.j.since(mark, bgtasks.Queued)))
	case errors.As(ended.Err, &pe):
		return fmt.Errorf("step 5/5: the task \"send welcome\" panicked when its mail could not be written (%v): the runner recovers it, but a panic says the code is broken, not that the mail failed\n"+
			"hint: a task reports a failure by returning it", ended.Err)
	case ended.Kind != bgtasks.Failed:
		return errors.New("step 5/5: outbox.txt could not be written, yet the task \"send welcome\" reported success: the error was dropped, and no log says the mail is lost\n" +
			"hint: a task's error is how its failure reaches the server's log; give it back")
	case !keepsCause(ended.Err, c.outbox):
		return fmt.Errorf("step 5/5: the task \"send welcome\" failed with %q, which no longer says why: the mail's own error, %q, was replaced, "+
			"so the log cannot tell a folder in the way from a full disk or a refused address\n"+
			"hint: give the mail's error back as it is, or wrap it with %%w to add words of your own", ended.Err, mailErr(c.outbox))
	}
	if c.quietAtShutdown {
		return errors.New("step 5/5: when Shutdown ended its context (step 4), the task \"send welcome\" mailed nothing and returned no error: " +
			"a failed mail must be reported, whatever the reason, or no log says it is lost\n" +
			"hint: a task's error is how its failure reaches the server's log, a cancelled context's too; give it back")
	}

	mark = c.j.mark()
	status, body := c.post(`{"email":"grace@example.com"}`)
	c.runner.Wait()
	if status != http.StatusConflict {
		return fmt.Errorf("step 5/5: POST /subscribers for grace@example.com a second time answered %d %s, want 409\n"+
			"hint: keep the starter's handling of Subscribe's errors", status, body)
	}
	if queued := c.j.since(mark, bgtasks.Queued); len(queued) > 0 {
		return fmt.Errorf("step 5/5: POST /subscribers for an address already on the list answered 409 but still queued %s: she would be welcomed twice\n"+
			"hint: queue only what the use case returned, once it has succeeded", quoteAll(queued))
	}
	return nil
}

// keepsCause says whether err, a task's error, still carries why the mail
// to outbox failed: the *fs.PathError sendWelcome returned, wrapped with
// %w, or at least its text, for a task that wrapped it with %v.
func keepsCause(err error, outbox string) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) || (err != nil && strings.Contains(err.Error(), mailErr(outbox)))
}

// mailErr is the error sendWelcome meets in step 5, where outbox is a
// folder: the same call, made again, fails the same way.
func mailErr(outbox string) string {
	f, err := os.OpenFile(outbox, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		f.Close()
		return ""
	}
	return err.Error()
}

// post serves one POST /subscribers through the runner, as net/http would:
// the request's context is cancelled once the handler has returned.
func (c *checker[E]) post(body string) (int, string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/subscribers", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, req)
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

// subscribe calls the use case as a command-line tool would, turning a
// panic into a value.
func subscribe[E any](n Newsletter[E], ctx context.Context, email string) (events []E, err error, panicked any) {
	defer func() {
		if v := recover(); v != nil {
			panicked = v
		}
	}()
	events, err = n.Subscribe(ctx, email)
	return events, err, nil
}

func readOutbox(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func firstLine(v any) string {
	line, _, _ := strings.Cut(fmt.Sprint(v), "\n")
	return line
}
