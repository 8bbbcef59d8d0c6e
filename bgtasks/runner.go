package bgtasks

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
)

// Stats counts tasks. Queued counts every task ever added; each of them is
// later counted once as Completed, Failed or Abandoned, so when no task is
// waiting or running, Completed+Failed+Abandoned == Queued. Running is how
// many are running now.
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
	slots    chan struct{} // one token per draining queue; nil: no limit
	overflow Overflow

	// stop is the cancellation of every task's context, fired when
	// Shutdown's deadline passes.
	stop       context.Context
	cancelStop context.CancelFunc

	mu      sync.Mutex
	closed  bool          // Shutdown has begun: Add refuses
	active  []*queue      // queues with a task waiting or running, in no order
	pending int           // tasks accepted and not yet counted and reported
	idle    chan struct{} // closed when pending drops to zero
	lastID  uint64
	stats   Stats
}

// New returns a Runner configured by opts.
func New(opts ...Option) *Runner {
	r := &Runner{log: slog.Default()}
	for _, opt := range opts {
		opt(r)
	}
	if r.sync {
		r.slots = nil // synchronous mode runs tasks on the caller's goroutine: no limit applies
	}
	r.stop, r.cancelStop = context.WithCancel(context.Background())
	return r
}

// Middleware gives every request a task queue, reachable with From, and
// starts the queued tasks once next has returned. It never writes to,
// flushes or wraps the ResponseWriter, so net/http finishes the response
// exactly as it would without it. If the request already has a queue, from
// an outer Middleware, Middleware passes it through unchanged: one request,
// one queue.
func (r *Runner) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if _, ok := req.Context().Value(queueKey{}).(*queue); ok {
			next.ServeHTTP(w, req)
			return
		}
		ctx := &requestContext{Context: req.Context(),
			queue: queue{runner: r, method: req.Method, path: req.URL.Path}}
		q := &ctx.queue
		returned := false
		defer func() {
			if !returned { // the handler panicked or called runtime.Goexit
				r.abandonQueue(q, errHandlerPanic, refusing)
			}
		}()
		next.ServeHTTP(w, req.WithContext(ctx))
		returned = true

		r.mu.Lock()
		start := r.handled(q)
		r.mu.Unlock()
		if start {
			r.start(q)
		}
	})
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
	running := r.stats.Running
	var lost []*task
	for len(r.active) > 0 {
		lost = append(lost, r.cut(r.active[0])...)
	}
	r.mu.Unlock()
	r.cancelStop() // only now: a task that returns on cancellation is counted abandoned, not failed
	r.abandonAll(lost, errDeadline)
	return &shutdownError{abandoned: len(lost), running: running, cause: err}
}

// Stats returns the Runner's counts.
func (r *Runner) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}
