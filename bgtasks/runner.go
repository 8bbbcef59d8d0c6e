package bgtasks

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// Stats counts tasks. Queued counts every task ever added; each of them is
// later counted once as Completed, Failed or Abandoned, so when nothing is
// pending, Completed+Failed+Abandoned == Queued. Running is how many are
// running now.
type Stats struct {
	Queued    int
	Running   int
	Completed int
	Failed    int
	Abandoned int
}

// A Runner runs the tasks that requests queue. Create one with New, serve
// handlers through its Middleware, and Shutdown it after the HTTP server.
// Its methods are safe for concurrent use.
type Runner struct {
	log      *slog.Logger
	onError  func(context.Context, *TaskError)
	observe  func(Event)
	sync     bool
	slots    chan struct{} // nil: no limit
	overflow Overflow

	// stop is the cancellation of every task's context, fired when
	// Shutdown's deadline passes.
	stop       context.Context
	cancelStop context.CancelFunc

	mu      sync.Mutex
	closed  bool          // Shutdown has begun: Add refuses
	pending int           // tasks accepted and not yet accounted for
	idle    chan struct{} // closed when pending drops to zero
	active  *queue        // queues with unfinished tasks
	lastID  uint64
	stats   Stats
}

// New returns a Runner configured by opts.
func New(opts ...Option) *Runner {
	r := &Runner{log: slog.Default()}
	for _, opt := range opts {
		opt(r)
	}
	r.stop, r.cancelStop = context.WithCancel(context.Background())
	return r
}

// Middleware gives every request a task queue, reachable with From, and
// runs the queued tasks once next has returned and the response has been
// flushed. A response whose handler set no Content-Length is then sent
// chunked, which takes one more write: set it where the length is known.
// If the request already has a queue, from an outer Middleware,
// Middleware passes it through unchanged: one request, one queue.
func (r *Runner) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if _, ok := req.Context().Value(queueKey{}).(*queue); ok {
			next.ServeHTTP(w, req)
			return
		}
		t := &queue{Context: req.Context(), runner: r, method: req.Method, path: req.URL.Path}
		t.items = t.first[:0]
		returned := false
		defer func() {
			if !returned { // the handler panicked, or called runtime.Goexit
				r.drop(t)
			}
		}()
		next.ServeHTTP(w, req.WithContext(t))
		returned = true

		r.mu.Lock()
		if t.next == len(t.items) {
			t.state = idle
			r.mu.Unlock()
			return
		}
		t.state = draining
		r.mu.Unlock()
		flush(w)
		r.start(t)
	})
}

// flush sends what the handler wrote. net/http's own writer is a Flusher;
// a wrapper may reach one through Unwrap, which ResponseController follows.
// An error means the writer cannot flush (a hijacked connection, say): the
// tasks run all the same.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
		return
	}
	_ = http.NewResponseController(w).Flush()
}

// start runs t's tasks on a new goroutine, or here in synchronous mode,
// once the limit, if any, allows.
func (r *Runner) start(t *queue) {
	if r.sync {
		r.drain(t)
		return
	}
	if r.slots != nil {
		if err := r.acquire(); err != nil {
			r.mu.Lock()
			lost := r.cutQueue(t, nil)
			t.state = idle
			r.mu.Unlock()
			r.abandonAll(lost, err)
			return
		}
	}
	go r.drain(t)
}

func (r *Runner) acquire() error {
	select {
	case r.slots <- struct{}{}:
		return nil
	default:
	}
	if r.overflow == Drop {
		return errOverloaded
	}
	select {
	case r.slots <- struct{}{}:
		return nil
	case <-r.stop.Done():
		return errRunnerStopped
	}
}

// drain runs t's tasks one by one until none is left.
func (r *Runner) drain(t *queue) {
	r.mu.Lock()
	for t.next < len(t.items) {
		tk := &t.items[t.next]
		tk.run = r.detach(tk.ctx)
		ctx := &tk.run
		t.next++
		t.running = true
		r.stats.Running++
		r.mu.Unlock()

		start := time.Now()
		r.emit(t, *tk, Started, start, nil)
		err := call(ctx, tk.fn)
		took := time.Since(start)

		r.mu.Lock()
		if !t.running { // Shutdown's deadline passed and counted it abandoned
			r.mu.Unlock()
			r.log.LogAttrs(ctx, slog.LevelWarn, "abandoned background task returned",
				slog.String("task", tk.name), slog.Duration("duration", took), slog.Any("error", err))
			r.mu.Lock()
			continue
		}
		t.running = false
		r.stats.Running--
		if err == nil {
			r.stats.Completed++
		} else {
			r.stats.Failed++
		}
		if err != nil || r.observe != nil {
			// Report before finishing, so that Wait returns only once the
			// observer, the log and the hook have heard of the task.
			r.mu.Unlock()
			if err == nil {
				r.emit(t, *tk, Finished, start, nil)
			} else {
				r.fail(ctx, t, *tk, took, err)
			}
			r.mu.Lock()
		}
		r.finish(t, 1)
	}
	t.state = idle
	r.mu.Unlock()
	if r.slots != nil && !r.sync {
		<-r.slots
	}
}

// call runs fn, turning a panic into a *PanicError.
func call(ctx context.Context, fn Func) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// drop abandons the tasks of a request whose handler panicked.
func (r *Runner) drop(t *queue) {
	r.mu.Lock()
	lost := r.cutQueue(t, nil)
	t.state = dropped
	r.mu.Unlock()
	r.abandonAll(lost, errHandlerPanic)
}

// cutQueue counts t's unstarted tasks, and its running one, as abandoned,
// appends them to lost and returns it. abandonAll must follow. r.mu must be
// held.
func (r *Runner) cutQueue(t *queue, lost []lostTask) []lostTask {
	n := len(lost)
	if t.running {
		t.running = false
		r.stats.Running--
		lost = append(lost, lostTask{t, t.items[t.next-1]})
	}
	for _, tk := range t.items[t.next:] {
		lost = append(lost, lostTask{t, tk})
	}
	t.next = len(t.items)
	r.stats.Abandoned += len(lost) - n
	return lost
}

type lostTask struct {
	queue *queue
	task  task
}

// abandonAll reports the tasks that cutQueue counted, then finishes them.
func (r *Runner) abandonAll(lost []lostTask, why error) {
	for _, l := range lost {
		r.abandon(l.queue, l.task, why)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range lost {
		r.finish(l.queue, 1)
	}
}

// finish records that n of t's tasks have been accounted for. r.mu must be
// held.
func (r *Runner) finish(t *queue, n int) {
	if n == 0 {
		return
	}
	t.unfinished -= n
	if t.unfinished == 0 {
		r.unlink(t)
	}
	r.pending -= n
	if r.pending == 0 && r.idle != nil {
		close(r.idle)
		r.idle = nil
	}
}

func (r *Runner) link(t *queue) {
	t.nextActive = r.active
	if r.active != nil {
		r.active.prevActive = t
	}
	r.active = t
}

func (r *Runner) unlink(t *queue) {
	if t.prevActive != nil {
		t.prevActive.nextActive = t.nextActive
	} else {
		r.active = t.nextActive
	}
	if t.nextActive != nil {
		t.nextActive.prevActive = t.prevActive
	}
	t.prevActive, t.nextActive = nil, nil
}

// Wait blocks until no task is queued or running: every request that
// queued tasks has returned, and its tasks have ended, each reported to the
// log, the error hook and the observer. Tests use it to observe the effects
// of asynchronous tasks. A task must not call it: it would wait for itself.
func (r *Runner) Wait() {
	_ = r.waitIdle(context.Background())
}

func (r *Runner) waitIdle(ctx context.Context) error {
	r.mu.Lock()
	if r.pending == 0 {
		r.mu.Unlock()
		return nil
	}
	if r.idle == nil {
		r.idle = make(chan struct{})
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops the Runner: from now on Add abandons every new task, and
// Shutdown waits for the queued and running ones. If ctx ends first,
// Shutdown cancels the tasks' contexts, counts every task still queued or
// running as abandoned (logging each), and returns an error that wraps
// ErrAbandoned and ctx.Err() and says how many there were. A task that
// ignores its context may go on running after that; its result is logged
// but no longer counted.
//
// Call it after http.Server.Shutdown has returned, so that no handler is
// still queueing work.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	err := r.waitIdle(ctx)
	if err == nil {
		r.cancelStop()
		return nil
	}
	r.mu.Lock()
	var lost []lostTask
	running := r.stats.Running
	for t := r.active; t != nil; t = t.nextActive {
		lost = r.cutQueue(t, lost)
	}
	r.mu.Unlock()
	r.cancelStop()
	r.abandonAll(lost, errDeadline)
	return &shutdownError{abandoned: len(lost), running: running, cause: err}
}

// Stats returns the Runner's counts.
func (r *Runner) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// emit sends an event to the observer, if there is one.
func (r *Runner) emit(t *queue, tk task, kind EventKind, start time.Time, err error) {
	if r.observe == nil {
		return
	}
	now := time.Now()
	e := Event{Kind: kind, Task: tk.name, Request: t.id, Index: tk.index,
		Method: t.method, Path: t.path, Time: now, Err: err}
	if kind == Finished || kind == Failed {
		e.Duration = now.Sub(start)
	}
	r.observe(e)
}

func (r *Runner) fail(ctx context.Context, t *queue, tk task, took time.Duration, err error) {
	attrs := []slog.Attr{
		slog.String("task", tk.name),
		slog.String("method", t.method),
		slog.String("path", t.path),
		slog.Duration("duration", took),
		slog.Any("error", err),
	}
	if p, ok := err.(*PanicError); ok {
		attrs = append(attrs, slog.String("stack", string(p.Stack)))
	}
	r.log.LogAttrs(ctx, slog.LevelError, "background task failed", attrs...)
	r.emit(t, tk, Failed, time.Now().Add(-took), err)
	if r.onError != nil {
		r.onError(ctx, &TaskError{Task: tk.name, Method: t.method, Path: t.path, Duration: took, Err: err})
	}
}

func (r *Runner) abandon(t *queue, tk task, why error) {
	ctx := r.detach(tk.ctx)
	r.log.LogAttrs(&ctx, slog.LevelWarn, "background task abandoned",
		slog.String("task", tk.name),
		slog.String("method", t.method),
		slog.String("path", t.path),
		slog.Any("reason", why))
	r.emit(t, tk, Abandoned, time.Time{}, why)
	if r.onError != nil {
		r.onError(&ctx, &TaskError{Task: tk.name, Method: t.method, Path: t.path, Err: why})
	}
}
