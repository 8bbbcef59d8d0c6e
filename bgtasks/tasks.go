package bgtasks

import (
	"context"
	"strconv"
	"time"
)

// Func is the work of one task. Its context carries the request's values
// but not its cancellation; see the package documentation.
type Func func(ctx context.Context) error

type queueKey struct{}

// From returns the task queue of the request whose context is ctx, or of the
// request that queued the task running with ctx. Tasks added through it see
// ctx's values.
//
// From panics if ctx never passed through a Runner's Middleware: a task
// queued there would never run, and a panic during development beats a task
// lost in production.
func From(ctx context.Context) Tasks {
	q, ok := ctx.Value(queueKey{}).(*queue)
	if !ok {
		panic(noQueue)
	}
	return Tasks{q: q, ctx: ctx}
}

const noQueue = "bgtasks: no task queue in this context; serve the handler through " +
	"(*bgtasks.Runner).Middleware, for example http.ListenAndServe(addr, runner.Middleware(mux)), " +
	"and pass r.Context() along to helpers"

// Tasks adds to one request's task queue. It is what From returns: a small
// value bound to the context it came from, which is why it is passed around
// as a context rather than stored. Its methods are safe for concurrent use.
type Tasks struct {
	q   *queue
	ctx context.Context
}

// queueState says who may start a queue's tasks.
type queueState int

const (
	collecting queueState = iota // the handler is running; the middleware starts the tasks
	draining                     // a goroutine (or, in synchronous mode, the middleware) is running them
	idle                         // drained; the next Add starts a new drain
	dropped                      // the handler panicked; every Add is abandoned
)

type task struct {
	name  string
	fn    Func
	index int
	ctx   context.Context // the context From was given: its values are the task's
	// run is the context the task runs with, built when it starts. It lives
	// here, not on the heap of its own, and stays valid when items grows:
	// append copies elements, and nothing changes one once it has started.
	run detached
}

// queue holds one request's tasks. It is also the request's context from
// the middleware inwards, holding itself under queueKey: one allocation per
// request instead of two.
type queue struct {
	context.Context // the request's context as it reached the middleware
	runner          *Runner
	method          string
	path            string

	// Guarded by runner.mu.
	id         uint64 // 0 until the first Add
	added      int    // tasks ever added, refused ones included
	items      []task // accepted tasks; items[next:] have not started
	next       int
	running    bool // items[next-1] is running and not yet accounted for
	unfinished int  // accepted tasks not yet completed, failed or abandoned
	state      queueState
	prevActive *queue // in runner.active while unfinished > 0
	nextActive *queue
	first      [1]task // items' first backing array: most requests queue one task
}

// Value makes the queue reachable from every context derived from the
// request's.
func (q *queue) Value(key any) any {
	if key == (queueKey{}) {
		return q
	}
	return q.Context.Value(key)
}

// Add queues fn to run after the response, under name, which appears in logs
// and events. Tasks run in the order added; an empty name becomes "task N".
// Add may be called from the handler, a middleware, a helper, another
// goroutine, or a running task, whose addition runs after it. Once the
// Runner is shutting down, or the handler has panicked, Add abandons fn at
// once, with a log line. Add panics if fn is nil.
func (h Tasks) Add(name string, fn Func) {
	if h.q == nil {
		panic(noQueue)
	}
	if fn == nil {
		panic("bgtasks: Add(" + strconv.Quote(name) + ", nil)")
	}
	t := h.q
	r := t.runner
	r.mu.Lock()
	if t.id == 0 {
		r.lastID++
		t.id = r.lastID
	}
	t.added++
	if name == "" {
		name = "task " + strconv.Itoa(t.added)
	}
	tk := task{name: name, fn: fn, index: t.added - 1, ctx: h.ctx}
	r.stats.Queued++
	var refused error
	switch {
	case r.closed:
		refused = errRefused
	case t.state == dropped:
		refused = errHandlerPanic
	}
	if refused != nil {
		r.stats.Abandoned++
		r.mu.Unlock()
		r.emit(t, tk, Queued, time.Time{}, nil)
		r.abandon(t, tk, refused)
		return
	}
	t.items = append(t.items, tk)
	if t.unfinished == 0 {
		r.link(t)
	}
	t.unfinished++
	r.pending++
	start := t.state == idle
	if start {
		t.state = draining
	}
	r.mu.Unlock()
	r.emit(t, tk, Queued, time.Time{}, nil)
	if start {
		r.start(t)
	}
}
